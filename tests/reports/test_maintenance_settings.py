"""The maintenance thresholds come from the settings (WELLSPRING_TDS_*, _BUCKETS_LOW_AT,
_RECHARGE_LAPSED_DAYS) into the domain configuration."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from wellspring.domain.reports.config import MaintenanceConfig
from wellspring.settings import Settings, domain_config


def test_settings_reach_the_domain_config(monkeypatch: pytest.MonkeyPatch) -> None:
    assert domain_config(Settings()).maintenance == MaintenanceConfig()
    monkeypatch.setenv("WELLSPRING_TDS_DRIFT_RATIO", "2")
    monkeypatch.setenv("WELLSPRING_TDS_DRIFT_MIN_MG_L", "5")
    monkeypatch.setenv("WELLSPRING_TDS_LOOKBACK_DAYS", "90")
    monkeypatch.setenv("WELLSPRING_BUCKETS_LOW_AT", "[3, 1]")
    monkeypatch.setenv("WELLSPRING_RECHARGE_LAPSED_DAYS", "[2]")
    assert domain_config(Settings()).maintenance == MaintenanceConfig(
        tds_drift_ratio=2.0,
        tds_drift_min_mg_l=5.0,
        tds_lookback_days=90,
        buckets_low_at=(3, 1),
        recharge_lapsed_days=(2,),
    )
    monkeypatch.setenv("WELLSPRING_TDS_DRIFT_RATIO", "0.5")  # would make every device due
    with pytest.raises(ValidationError):
        Settings()
