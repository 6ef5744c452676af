"""What an operator sets for tracking links and the page (settings ``WELLSPRING_TRACKING_*``,
``WELLSPRING_PUBLIC_URL``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .throttle import Counter, MemoryCounter, admit


@dataclass(frozen=True)
class TrackingConfig:
    # The app's address as customers reach it ("" = a path under the app: /t/<token>).
    public_url: str = ""
    # A link works until this long after the visit is over (done, cancelled, closed) ...
    after_visit: dt.timedelta = dt.timedelta(hours=24)
    # ... and never longer than this after it was made.
    max_lifetime: dt.timedelta = dt.timedelta(days=30)
    # The engineer's full name and phone stay hidden unless the company shows them.
    show_engineer_full_name: bool = False
    show_engineer_phone: bool = False
    # The engineer's position is rounded to this many decimals (3: about 100 m).
    position_decimals: int = 3
    # Requests per minute a token, or a client address, may make to the page and its API.
    per_token_per_minute: int = 60
    per_address_per_minute: int = 120
    # Where the counts are kept: this process by default (throttle.py says how to share).
    counter: Counter = field(default_factory=MemoryCounter)

    async def admit(self, *, token: str, address: str, now: dt.datetime) -> bool:
        """Count a request made with ``token`` from ``address``; False when over a limit."""
        return await admit(
            self.counter,
            per_token=self.per_token_per_minute,
            per_address=self.per_address_per_minute,
            token=token,
            address=address,
            now=now,
        )

    def url(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/t/{token}"
