"""Plans: compact in-memory rows, written once tickets have settled their final state."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..domain.models.enums import CardStatus, Channel, DeviceStatus, Priority, TicketType
from .catalogue import Model
from .clock import ref, uid
from .places import Place


@dataclass(slots=True)
class Tech:
    id: str
    user_id: str
    branch: str
    skills: frozenset[str]


@dataclass(slots=True)
class CardPlan:
    n: int
    status: CardStatus
    branch_id: str
    agent_id: str | None
    customer_id: str | None
    device_id: str | None
    created_at: dt.datetime
    activated_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    number: str = ""  # drawn when the card is written
    id: str = field(init=False)

    def __post_init__(self) -> None:
        self.id = uid("card", self.n)


@dataclass(slots=True)
class DevicePlan:
    n: int
    model: Model
    status: DeviceStatus
    branch_id: str
    agent_id: str | None
    created_at: dt.datetime
    customer_id: str | None = None
    address_id: str | None = None
    installed_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    price: Decimal = Decimal("0.00")
    supply_expires_on: dt.date | None = None
    bucket_balance: int = 0
    first_recharged_at: dt.datetime | None = None
    card: CardPlan | None = None
    referenced: bool = False  # some ticket names it
    # No further tickets: uninstalled, its card cancelled, or installed by a recent ticket.
    settled: bool = False
    serial: str = ""  # set when the device is written
    id: str = field(init=False)

    def __post_init__(self) -> None:
        self.id = uid("device", self.n)


@dataclass(slots=True)
class CustomerPlan:
    n: int
    place: Place
    kind: str  # person, company, school, office
    agent_id: str | None
    address_id: str
    district: str
    street: str
    created_at: dt.datetime
    devices: list[DevicePlan] = field(default_factory=list)
    id: str = field(init=False)
    branch_id: str = field(init=False)

    def __post_init__(self) -> None:
        self.id = uid("customer", self.n)
        self.branch_id = ref("branch", self.place.code)


@dataclass(slots=True)
class Step:
    status: enum.StrEnum
    at: dt.datetime
    actor_id: str | None
    reason: str = ""


@dataclass(slots=True)
class JobPlan:
    branch_id: str
    tech: Tech | None
    steps: list[Step]
    appointment: tuple[dt.datetime, dt.datetime] | None
    reason: str


@dataclass(slots=True)
class TicketPlan:
    type: TicketType
    priority: Priority
    channel: Channel
    customer: CustomerPlan
    device: DevicePlan | None
    card: CardPlan | None
    address_id: str
    description: str
    handler_id: str | None
    steps: list[Step]
    reason: str
    job: JobPlan | None
    score: int | None = None
    # What the ticket was opened with (tickets.details), as OpenTicket would keep it; an
    # install's card and machine are named by number and serial once those are written.
    details: dict[str, Any] = field(default_factory=dict)
    install: tuple[CardPlan, DevicePlan] | None = None
