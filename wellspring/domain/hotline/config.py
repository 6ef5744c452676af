"""What an operator sets for the hotline's tools (settings: WELLSPRING_CALLBACK_*)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HotlineConfig:
    # A missed call is closed as unreturned after this many call-back attempts without
    # reaching the caller.
    callback_max_attempts: int = 3
    # A missed call should be called back within this many minutes (its ``due_at``).
    callback_sla_minutes: int = 30
