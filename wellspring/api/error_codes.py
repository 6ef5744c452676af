"""Codes of the GraphQL transport: ``errors[].extensions.code`` of a refused request.

They never appear in a payload's ``errors`` (those are the areas' codes, e.g.
``WorkflowErrorCode``); a domain error raised by a query also lands here, with its own code.
"""

from __future__ import annotations

import enum


class TransportErrorCode(enum.StrEnum):
    """Why the server refused a request, or part of it, before or around any use case."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    BAD_REQUEST = "BAD_REQUEST"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    VARIABLE_INVALID = "VARIABLE_INVALID"
    INVALID_CHARACTER = "INVALID_CHARACTER"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
    TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
    BATCHING_NOT_SUPPORTED = "BATCHING_NOT_SUPPORTED"
    SUBSCRIPTION_OVER_HTTP = "SUBSCRIPTION_OVER_HTTP"  # subscriptions run on the WebSocket
    TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"  # running at once on one WebSocket
    INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    NOT_READY = "NOT_READY"
    SERVICE_BUSY = "SERVICE_BUSY"  # every pooled connection in use: retry after a pause
    # the PBX's webhook (api/pbx_webhook.py)
    WEBHOOK_DISABLED = "WEBHOOK_DISABLED"
    WEBHOOK_SIGNATURE_INVALID = "WEBHOOK_SIGNATURE_INVALID"
