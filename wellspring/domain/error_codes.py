"""Error codes every area may raise, and those of signing in (as Saleor's ``error_codes.py``).

Codes are ``StrEnum`` members, so ``DomainError("NOT_FOUND")`` and
``DomainError(CommonErrorCode.NOT_FOUND)`` are the same error. Each area keeps its own codes
beside its rules (``workflow/error_codes.py``, ``inventory/error_codes.py``, ...); codes of a
transport (a query too deep, a push too large) belong to ``wellspring.api`` and
``wellspring.mobile_sync``, never here. Every code has a message in ``wellspring.i18n``.
"""

from __future__ import annotations

import enum


class CommonErrorCode(enum.StrEnum):
    """Input checks and state checks shared by every area."""

    REQUIRED = "REQUIRED"
    TOO_MANY_ITEMS = "TOO_MANY_ITEMS"  # a list input longer than its limit
    INVALID_ID = "INVALID_ID"
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    NOT_FOUND = "NOT_FOUND"
    INVALID_CURSOR = "INVALID_CURSOR"
    PAGE_SIZE_OUT_OF_RANGE = "PAGE_SIZE_OUT_OF_RANGE"
    VALUE_OUT_OF_RANGE = "VALUE_OUT_OF_RANGE"
    VALUE_TOO_LONG = "VALUE_TOO_LONG"
    QUANTITY_OUT_OF_RANGE = "QUANTITY_OUT_OF_RANGE"
    AMOUNT_NEGATIVE = "AMOUNT_NEGATIVE"
    AMOUNT_PRECISION = "AMOUNT_PRECISION"  # money in whole fen (bounds.check_cents)
    INVALID_PHONE = "INVALID_PHONE"
    # A locale that is no locale at all (``locales.py``): a phone's, or a user's language.
    INVALID_LOCALE = "INVALID_LOCALE"
    INVALID_COORDINATES = "INVALID_COORDINATES"
    INVALID_BRANCH = "INVALID_BRANCH"
    # Every state machine (tickets, jobs, movements, route plans) and its optimistic lock.
    INVALID_TRANSITION = "INVALID_TRANSITION"
    REASON_REQUIRED = "REASON_REQUIRED"
    STALE_OBJECT = "STALE_OBJECT"
    # A write that lost a race the database settled (``db.lost_race``): nothing was kept.
    CONCURRENT_CHANGE = "CONCURRENT_CHANGE"
    # An idempotency key sent again with another mutation or input (``idempotency.py``).
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    # A phone's note, water test or photo timed past the server's now (clock.CLOCK_SLACK).
    RECORDED_IN_FUTURE = "RECORDED_IN_FUTURE"
    # ... or before clock.EARLIEST_RECORD (a phone clock reset to 1970): final for the client.
    RECORDED_TOO_EARLY = "RECORDED_TOO_EARLY"


class AuthErrorCode(enum.StrEnum):
    """Signing in, sessions and the failed-login lock (``auth.py``, ``login_throttle.py``)."""

    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    INVALID_REFRESH_TOKEN = "INVALID_REFRESH_TOKEN"  # noqa: S105 (a code, not a secret)
    SESSION_NOT_FOUND = "SESSION_NOT_FOUND"
    USER_NOT_FOUND = "USER_NOT_FOUND"
    # ChangePassword: the current password given is not the user's (passwords.py)
    WRONG_PASSWORD = "WRONG_PASSWORD"  # noqa: S105 (a code, not a secret)
    # ChangePassword: too many wrong current passwords; the sign-in is not locked by them
    TOO_MANY_WRONG_PASSWORDS = "TOO_MANY_WRONG_PASSWORDS"
