"""Codes of the sync protocol itself: a refused request, answered with an HTTP status.

Per-record reasons are the domain's (``domain.sync.error_codes.SyncErrorCode`` and the
areas' codes); these only say the request as a whole was not taken.
"""

from __future__ import annotations

import enum


class SyncProtocolErrorCode(enum.StrEnum):
    """Why a pull or push request was refused as a whole."""

    SYNC_BAD_REQUEST = "SYNC_BAD_REQUEST"
    SYNC_CLIENT_REQUIRED = "SYNC_CLIENT_REQUIRED"
    SYNC_IN_PROGRESS = "SYNC_IN_PROGRESS"
    SYNC_COLLIDED = "SYNC_COLLIDED"
    SYNC_UNAVAILABLE = "SYNC_UNAVAILABLE"
    INVALID_SYNC_CURSOR = "INVALID_SYNC_CURSOR"
    CURSOR_AHEAD = "CURSOR_AHEAD"
    SYNC_TOO_DEEP = "SYNC_TOO_DEEP"
    NUMBER_TOO_LARGE = "NUMBER_TOO_LARGE"
    LAST_PULLED_AT_REQUIRED = "LAST_PULLED_AT_REQUIRED"
    UNSUPPORTED_SCHEMA_VERSION = "UNSUPPORTED_SCHEMA_VERSION"
    INVALID_MIGRATION = "INVALID_MIGRATION"
    UNKNOWN_TABLE = "UNKNOWN_TABLE"
    UNKNOWN_COLUMN = "UNKNOWN_COLUMN"
    INVALID_RECORD_ID = "INVALID_RECORD_ID"
    PUSH_TOO_LARGE = "PUSH_TOO_LARGE"
    FOREIGN_RECORD = "FOREIGN_RECORD"
    # shared with the GraphQL transport (wellspring.api.error_codes)
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
