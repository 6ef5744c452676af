"""Codes the service-outlet rules raise (besides ``domain.error_codes.CommonErrorCode``)."""

from __future__ import annotations

import enum


class OutletErrorCode(enum.StrEnum):
    """Outlets, their rate cards, assessments and settlements (codes, names and amounts are
    checked as master data is: masterdata/fields.py)."""

    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_RATE = "INVALID_RATE"
    ASSESSMENT_PERIOD_INVALID = "ASSESSMENT_PERIOD_INVALID"
    INVALID_SCORE = "INVALID_SCORE"
    INVALID_MONTH = "INVALID_MONTH"
    SETTLEMENT_NOT_DRAFT = "SETTLEMENT_NOT_DRAFT"
    SETTLEMENT_NOT_CONFIRMED = "SETTLEMENT_NOT_CONFIRMED"
    TECHNICIAN_OTHER_BRANCH = "TECHNICIAN_OTHER_BRANCH"
    # settlements fall back to the price standards (issue 18)
    SETTLEMENT_UNPRICED = "SETTLEMENT_UNPRICED"
