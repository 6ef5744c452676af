"""Judging water tested on site against thresholds.

Defaults follow GB 5749-2022 (the Chinese drinking-water standard): pH 6.5–8.5, turbidity
≤ 1 NTU, free residual chlorine ≤ 2 mg/L. For total dissolved solids the standard allows
1,000 mg/L for tap water, but a working purifier's output is expected far lower, so the
default limit here is 100 mg/L: above it the membrane is likely spent.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import DomainError


@dataclass(frozen=True)
class Readings:
    tds_mg_l: float | None = None
    ph: float | None = None
    residual_chlorine_mg_l: float | None = None
    turbidity_ntu: float | None = None
    temperature_c: float | None = None


@dataclass(frozen=True)
class Thresholds:
    tds_max: float = 100.0
    ph_min: float = 6.5
    ph_max: float = 8.5
    chlorine_max: float = 2.0
    turbidity_max: float = 1.0


DEFAULT_THRESHOLDS = Thresholds()
_PLAUSIBLE = {
    "tds_mg_l": (0.0, 5000.0),
    "ph": (0.0, 14.0),
    "residual_chlorine_mg_l": (0.0, 20.0),
    "turbidity_ntu": (0.0, 1000.0),
    "temperature_c": (-5.0, 100.0),
}


# Each reading as the clients send it (a report's waterTest, a phone's water_tests columns);
# an error names that, never the attribute (``tds_mg_l``), which no client ever wrote.
SENT_NAMES = {
    "tds_mg_l": "tds",
    "ph": "ph",
    "residual_chlorine_mg_l": "residual_chlorine",
    "turbidity_ntu": "turbidity",
    "temperature_c": "temperature",
}


def check(readings: Readings, at: str = "report.water_test") -> None:
    """Refuse an empty test or a reading no meter can give, naming the reading under ``at``,
    where the client sent the readings (``""``: they are the record's own columns)."""
    values = {name: getattr(readings, name) for name in _PLAUSIBLE}
    if all(v is None for v in values.values()):
        raise DomainError("REPORT_FIELD_REQUIRED", field=at or None)
    for name, value in values.items():
        low, high = _PLAUSIBLE[name]
        if value is not None and not low <= value <= high:
            sent = SENT_NAMES[name]
            raise DomainError("INVALID_ARGUMENT", field=f"{at}.{sent}" if at else sent)


# The readings as a Chinese ticket description names them (the hotline's language).
READING_NAMES_ZH = {"tds": "TDS", "ph": "pH", "residual_chlorine": "余氯", "turbidity": "浊度"}


def failures(readings: Readings, limits: Thresholds = DEFAULT_THRESHOLDS) -> list[str]:
    """The readings outside their limits (empty when the water passes)."""
    failed = []
    if readings.tds_mg_l is not None and readings.tds_mg_l > limits.tds_max:
        failed.append("tds")
    if readings.ph is not None and not limits.ph_min <= readings.ph <= limits.ph_max:
        failed.append("ph")
    chlorine = readings.residual_chlorine_mg_l
    if chlorine is not None and chlorine > limits.chlorine_max:
        failed.append("residual_chlorine")
    if readings.turbidity_ntu is not None and readings.turbidity_ntu > limits.turbidity_max:
        failed.append("turbidity")
    return failed
