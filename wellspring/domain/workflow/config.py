"""The workflow settings the process runs with: the phone-clock rules and the SLA hours.

The app configures them once at start-up from the environment; tests and tools may pass their
own. Kept out of the request context because the engineer's moves and the tickets the system
opens itself come through any door (GraphQL, phone sync) and must follow the same settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .clock_rules import DEFAULT_RULES, ClockRules


@dataclass(frozen=True)
class WorkflowConfig:
    clock: ClockRules = DEFAULT_RULES
    # Service-level hours over the defaults of sla.py: {"REPAIR": {"URGENT": 2}}.
    sla_hours: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


_current = WorkflowConfig()


def configure(config: WorkflowConfig) -> None:
    global _current
    _current = config


def current() -> WorkflowConfig:
    return _current
