"""The domain's configuration: everything a business rule reads that an operator may set.

Built once from the settings by the entry points (api/, the CLI, the demo loader) and carried
by the unit of work: :func:`wellspring.domain.db.session_factory` puts it in every session's
``info``, and a use case reads it with :func:`config_of` from the session it already receives.
No module-level mutable state: two apps with different settings can run in one process (the
tests do).

The time zone is not a setting: the business runs on Asia/Shanghai (phones, shifts, days and
months are all Shanghai time), named once here as :data:`TIME_ZONE`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from .dispatch.config import DispatchConfig
from .hotline.config import HotlineConfig
from .media.config import MediaConfig
from .reports.config import MaintenanceConfig
from .tracking.config import TrackingConfig
from .workflow.clock_rules import DEFAULT_RULES, ClockRules

TIME_ZONE = ZoneInfo("Asia/Shanghai")
CONFIG_KEY = "wellspring.domain_config"


@dataclass(frozen=True)
class DomainConfig:
    # How far a time the phone recorded is trusted (workflow/clock_rules.py).
    clock_rules: ClockRules = DEFAULT_RULES
    # Service-level hours over the defaults of workflow/sla.py: {"REPAIR": {"URGENT": 2}}.
    sla_hours: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    # Travel model, position age, geocoder and route solver.
    dispatch: DispatchConfig = field(default_factory=DispatchConfig)
    # The file store, the image checker, limits and lifetimes (media/config.py); without a
    # store, uploads are refused and the evidence rules still hold.
    media: MediaConfig = field(default_factory=MediaConfig)
    # Tracking links and what the customer's page shows (tracking/config.py).
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    # Call backs: attempts before a missed call is closed unreturned (hotline/config.py).
    hotline: HotlineConfig = field(default_factory=HotlineConfig)
    # Maintenance from usage: TDS drift, bucket and lapsed-plan milestones (reports/config.py).
    maintenance: MaintenanceConfig = field(default_factory=MaintenanceConfig)
    # How long a create's idempotencyKey answers a retry (idempotency.py): longer than a
    # phone's offline queue may wait, as long as the outbox keeps a sync cursor's changes.
    idempotency_key_lifetime: dt.timedelta = dt.timedelta(days=30)


DEFAULT_CONFIG = DomainConfig()


def config_of(session: AsyncSession | Session) -> DomainConfig:
    """The configuration the session's unit of work runs with (the defaults if none given)."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    found = sync.info.get(CONFIG_KEY, DEFAULT_CONFIG)
    return found if isinstance(found, DomainConfig) else DEFAULT_CONFIG
