"""Codes the tracking link's rules raise (besides ``CommonErrorCode``)."""

from __future__ import annotations

import enum


class TrackingErrorCode(enum.StrEnum):
    """Tracking links, ratings and a customer's requests."""

    LINK_NOT_USABLE = "LINK_NOT_USABLE"  # unknown, expired or revoked: never which
    NOT_YET_RATABLE = "NOT_YET_RATABLE"
    ALREADY_RATED = "ALREADY_RATED"
    VISIT_OVER = "VISIT_OVER"  # a reschedule or cancel asked after the work is done
    TRACKING_RATE_LIMITED = "TRACKING_RATE_LIMITED"
