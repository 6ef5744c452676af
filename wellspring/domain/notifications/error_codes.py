"""Codes the inbox and push-registration rules raise (besides ``CommonErrorCode``)."""

from __future__ import annotations

import enum


class NotificationErrorCode(enum.StrEnum):
    """The inbox and the phone's push registration."""

    NOTHING_TO_MARK = "NOTHING_TO_MARK"
    PUSH_TOKEN_INVALID = "PUSH_TOKEN_INVALID"  # noqa: S105 (a code, not a secret)
