"""Codes the hotline's rules raise (besides ``domain.error_codes.CommonErrorCode``)."""

from __future__ import annotations

import enum


class HotlineErrorCode(enum.StrEnum):
    """Missed calls, call backs and the knowledge base."""

    CALL_TIME_OUT_OF_RANGE = "CALL_TIME_OUT_OF_RANGE"
    CALL_ALREADY_CLOSED = "CALL_ALREADY_CLOSED"
    ARTICLE_NEEDS_TITLE = "ARTICLE_NEEDS_TITLE"
    # call backs assigned to a hotline agent (issue 18)
    CALLBACK_ASSIGNEE_INVALID = "CALLBACK_ASSIGNEE_INVALID"
