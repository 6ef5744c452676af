"""What the generator has decided so far, and the small helpers every part draws with."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import auth
from ..domain.models import User
from ..domain.models.enums import Role, TicketType
from .accounts import DEMO_PASSWORD
from .clock import CHINA, Clock, local_time, ref
from .names import GIVEN_1, GIVEN_2, MOBILE_PREFIXES, SURNAME_CUM, SURNAME_POOL
from .plans import CardPlan, CustomerPlan, DevicePlan, Tech, TicketPlan
from .writer import ORDER, Writer


class Demo:
    """One load: its random stream, its row writer and the plans made so far."""

    def __init__(
        self, session: AsyncSession, *, scale: int, seed: int, version: int, clock: Clock
    ) -> None:
        self.session = session
        self.scale = scale
        self.clock = clock
        self.rng = random.Random(seed)
        self.version = version
        self.writer = Writer(session, ORDER)
        self.password_hash = auth.hash_password(DEMO_PASSWORD)
        self.agents: dict[str, list[tuple[str, int]]] = {}  # branch code -> (agent id, weight)
        self.outlets: dict[str, list[str]] = {}
        # sub-distributor id -> the districts of its territory (its customers live there)
        self.agent_districts: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}
        self.techs: dict[str, list[Tech]] = {}
        self.skilled: dict[tuple[str, TicketType], list[Tech]] = {}
        self.learned: set[str] = set()  # technicians given a skill by a visit (pick_tech)
        self.clerks: dict[str, str] = {}
        self.customers: list[CustomerPlan] = []
        self.devices: list[DevicePlan] = []
        self.cards: list[CardPlan] = []
        self.tickets: list[TicketPlan] = []
        self.in_field: set[str] = set()  # technicians already en route or on site
        self.next_address = scale  # customers own addresses 0..scale-1
        # Relocation destinations, written after the customers: (customer, n, district, street,
        # becomes the default, created).
        self.pending_addresses: list[tuple[CustomerPlan, int, str, str, bool, dt.datetime]] = []
        self.moved_from: dict[str, dt.datetime] = {}  # addresses that stop being the default
        self.user_count = 0

    # Small helpers ----------------------------------------------------------------------------

    def record(
        self, id_: str, created_at: dt.datetime, updated_at: dt.datetime | None = None
    ) -> dict[str, Any]:
        return {
            "id": id_,
            "created_at": created_at,
            "updated_at": updated_at or created_at,
            "version": self.version,
            "deleted_at": None,
        }

    def person_name(self) -> str:
        surname = self.rng.choices(SURNAME_POOL, cum_weights=SURNAME_CUM)[0]
        pool = GIVEN_1 if self.rng.random() < 0.3 else GIVEN_2
        return surname + self.rng.choice(pool)

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def near(self, lat: float, lon: float, km: float) -> tuple[float, float]:
        """A point uniformly within ``km`` of (lat, lon)."""
        r = km * math.sqrt(self.rng.random())
        a = self.rng.uniform(0.0, 2 * math.pi)
        dlat = r * math.cos(a) / 111.32
        dlon = r * math.sin(a) / (111.32 * math.cos(math.radians(lat)))
        return round(lat + dlat, 6), round(lon + dlon, 6)

    def minutes(self, lo: float, hi: float) -> dt.timedelta:
        return dt.timedelta(seconds=self.rng.randint(int(lo * 60), int(hi * 60)))

    def working_before(self, t: dt.datetime) -> dt.datetime:
        """``t``, or the latest earlier moment inside office hours (08:00–20:00 local)."""
        local = t.astimezone(CHINA)
        if 8 <= local.hour < 20:
            return t
        day = local.date() if local.hour >= 20 else local.date() - dt.timedelta(days=1)
        return local_time(day, 12, self.rng.randrange(8 * 60))

    def working_after(self, t: dt.datetime) -> dt.datetime:
        local = t.astimezone(CHINA)
        if 8 <= local.hour < 20:
            return t
        day = local.date() + dt.timedelta(days=1) if local.hour >= 20 else local.date()
        return local_time(day, 9, self.rng.randrange(120))

    async def add_user(
        self,
        username: str,
        display_name: str,
        role: Role,
        branch: str,
        *,
        agent_id: str | None = None,
        customer_id: str | None = None,
    ) -> str:
        user_id = ref("user", username)
        created = self.clock.base - dt.timedelta(days=400) + dt.timedelta(minutes=self.user_count)
        self.user_count += 1
        row = self.record(user_id, created) | {
            "username": username,
            "display_name": display_name,
            "password_hash": self.password_hash,
            "role": role,
            "branch_id": ref("branch", branch),
            "agent_id": agent_id,
            "customer_id": customer_id,
            "phone": self.mobile(),
            "locale": "zh-CN",
            "is_active": True,
            "is_demo": True,
        }
        await self.writer.add(User, row)
        return user_id
