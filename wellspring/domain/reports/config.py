"""What an operator sets for maintenance from usage (settings: WELLSPRING_TDS_DRIFT_*,
WELLSPRING_BUCKETS_LOW_AT, WELLSPRING_RECHARGE_LAPSED_DAYS).

Part of :class:`wellspring.domain.config.DomainConfig` (``maintenance``); ``usage.py`` and
``reminders.py`` read it from the session's unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MaintenanceConfig:
    # A device's latest TDS reading counts as drifted (a filter change is due) when it is at
    # least this many times, and this many mg/L above, the first reading after its last
    # filter change; readings older than the look-back are not read.
    tds_drift_ratio: float = 1.5
    tds_drift_min_mg_l: float = 10.0
    tds_lookback_days: int = 365
    # The bucket balances at which a bucket-plan customer is told "buckets low" (once each).
    buckets_low_at: tuple[int, ...] = (2, 0)
    # The days after a monthly plan ended without a recharge that the branch is told.
    recharge_lapsed_days: tuple[int, ...] = (1, 7)

    def drifted(self, baseline: float, latest: float) -> bool:
        return (
            latest >= baseline * self.tds_drift_ratio
            and latest - baseline >= self.tds_drift_min_mg_l
        )
