"""Codes of the rules about records a phone pushes (besides ``CommonErrorCode``).

A push answers them per record (``rejected`` or ``conflicts``); the protocol's own refusals
(a malformed request, a push too large) are ``wellspring.mobile_sync.error_codes``.
"""

from __future__ import annotations

import enum


class SyncErrorCode(enum.StrEnum):
    """Why one pushed record was refused or overruled."""

    ID_TAKEN = "ID_TAKEN"
    CHANGED_ON_SERVER = "CHANGED_ON_SERVER"
    READ_ONLY_TABLE = "READ_ONLY_TABLE"
    READ_ONLY_COLUMN = "READ_ONLY_COLUMN"
    # the installation is bound to another user (refuses the whole request)
    SYNC_CLIENT_OF_ANOTHER_USER = "SYNC_CLIENT_OF_ANOTHER_USER"
    DELETE_NOT_ALLOWED = "DELETE_NOT_ALLOWED"
    INVALID_VALUE = "INVALID_VALUE"
