"""Codes the dispatcher's tools raise (besides ``domain.error_codes.CommonErrorCode``)."""

from __future__ import annotations

import enum


class DispatchErrorCode(enum.StrEnum):
    """Positions, geocoding, suggestions and route plans."""

    INVALID_ACCURACY = "INVALID_ACCURACY"
    LIMIT_OUT_OF_RANGE = "LIMIT_OUT_OF_RANGE"
    JOB_WITHOUT_COORDINATES = "JOB_WITHOUT_COORDINATES"
    NO_TECHNICIANS = "NO_TECHNICIANS"
    NO_SHIFTS = "NO_SHIFTS"
    DATE_IN_PAST = "DATE_IN_PAST"
    NOTHING_TO_PLAN = "NOTHING_TO_PLAN"
    PLAN_NOT_PROPOSED = "PLAN_NOT_PROPOSED"
    PLAN_OUTDATED = "PLAN_OUTDATED"
    GEOCODER_NOT_CONFIGURED = "GEOCODER_NOT_CONFIGURED"
    GEOCODER_UNAVAILABLE = "GEOCODER_UNAVAILABLE"
    ADDRESS_NOT_FOUND = "ADDRESS_NOT_FOUND"
    # the engineer's working day (shifts.py), refused unless overruled
    APPOINTMENT_DAY_OFF = "APPOINTMENT_DAY_OFF"
    APPOINTMENT_OUTSIDE_SHIFT = "APPOINTMENT_OUTSIDE_SHIFT"
    APPOINTMENT_OVERLAP = "APPOINTMENT_OVERLAP"
