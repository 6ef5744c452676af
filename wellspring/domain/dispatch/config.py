"""The dispatch part of the domain configuration: travel model, position age, geocoder, solver.

Part of :class:`wellspring.domain.config.DomainConfig`, which the sessions carry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ...geo.geocoding import Geocoder
from ...geo.travel import TravelModel


@dataclass(frozen=True)
class DispatchConfig:
    travel: TravelModel = field(default_factory=TravelModel)
    # A phone position older than this counts as unknown (fall back to last site or home).
    position_max_age: dt.timedelta = dt.timedelta(minutes=30)
    geocoder: Geocoder | None = None  # None: offline, client coordinates or district centroids
    exploration_level: int = 5  # VROOM's search depth, 0-5
    solver_threads: int = 2
    solver_timeout_seconds: float | None = 20.0
    # Both engines together (geo.planner): VROOM, then PyVRP; 0 runs VROOM alone.
    route_time_budget_seconds: float = 0.8
