"""Codes the reports raise (``period.py`` checks every report's date range and branch)."""

from __future__ import annotations

import enum


class ReportErrorCode(enum.StrEnum):
    REPORT_RANGE_INVERTED = "REPORT_RANGE_INVERTED"  # ``to`` before ``from``
    REPORT_RANGE_TOO_LONG = "REPORT_RANGE_TOO_LONG"  # more than MAX_DAYS days
    REPORT_UNKNOWN = "REPORT_UNKNOWN"  # an export of a report that does not exist
