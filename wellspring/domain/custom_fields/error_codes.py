"""Codes the custom-field rules raise (besides ``domain.error_codes.CommonErrorCode``)."""

from __future__ import annotations

import enum


class CustomFieldErrorCode(enum.StrEnum):
    """Defining a field, and a record's values checked against the definitions."""

    CUSTOM_FIELD_INVALID_KEY = "CUSTOM_FIELD_INVALID_KEY"
    CUSTOM_FIELD_TYPE_LOCKED = "CUSTOM_FIELD_TYPE_LOCKED"
    CUSTOM_FIELD_OPTIONS_INVALID = "CUSTOM_FIELD_OPTIONS_INVALID"
    CUSTOM_FIELD_UNKNOWN = "CUSTOM_FIELD_UNKNOWN"
    CUSTOM_FIELD_INVALID_VALUE = "CUSTOM_FIELD_INVALID_VALUE"
    CUSTOM_FIELD_REQUIRED = "CUSTOM_FIELD_REQUIRED"
    # filled on site: by the phone and in completion reports (issue 18)
    CUSTOM_FIELD_NOT_ON_SITE = "CUSTOM_FIELD_NOT_ON_SITE"
    CUSTOM_FIELD_ON_SITE_MISSING = "CUSTOM_FIELD_ON_SITE_MISSING"
