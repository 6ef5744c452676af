"""The whole load: plan and write everything, in an order that keeps the random stream fixed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import ticket_counts, versioning
from ..domain.clock import clock_of
from ..domain.models import AccountCard, Agent, Branch, Customer, Device, Technician, User
from .clock import Clock
from .customers import plan_owners, write_customers
from .devices import plan_devices
from .organisation import (
    write_agents_and_outlets,
    write_branches,
    write_catalogue,
    write_learned_skills,
    write_staff,
)
from .plan_rows import (
    retire_old_defaults,
    set_counters,
    write_devices_and_cards,
    write_relocation_addresses,
    write_tickets,
)
from .positions import report_positions
from .state import Demo
from .stock import load_inventory
from .ticket_details import assign_install_stock
from .ticket_plans import plan_tickets

_MIN_SCALE = 20


class DemoDataError(Exception):
    """The database is not empty, so demo data would mix with real data."""


@dataclass(frozen=True)
class DemoSummary:
    branches: int
    users: int
    technicians: int
    agents: int
    customers: int
    devices: int
    cards: int
    tickets: int
    jobs: int


async def build(demo: Demo) -> DemoSummary:
    await write_branches(demo)
    await write_agents_and_outlets(demo)
    owners = plan_owners(demo)
    per_branch: dict[str, int] = defaultdict(int)
    for place, _, _ in owners:
        per_branch[place.code] += 1
    await write_staff(demo, per_branch)
    await write_catalogue(demo)
    await write_customers(demo, owners)
    plan_devices(demo)
    plan_tickets(demo)
    assign_install_stock(demo)
    await write_relocation_addresses(demo)
    await write_devices_and_cards(demo)
    tickets, jobs = await write_tickets(demo)
    await demo.writer.flush()
    await write_learned_skills(demo)
    await retire_old_defaults(demo)
    await set_counters(demo, tickets, jobs)
    counts = demo.writer.counts
    return DemoSummary(
        branches=counts[Branch],
        users=counts[User],
        technicians=counts[Technician],
        agents=counts[Agent],
        customers=counts[Customer],
        devices=counts[Device],
        cards=counts[AccountCard],
        tickets=tickets,
        jobs=jobs,
    )


async def load_demo_data(
    session: AsyncSession,
    *,
    scale: int = 200,
    seed: int = 20261123,
    now: dt.datetime | None = None,
) -> DemoSummary:
    """Fill an empty, migrated database. `scale` = number of customers.

    Times are laid out around `now` (default: the present): tickets open and closed over
    the past weeks, visits under way, appointments today and the next days. Deterministic
    for a given (scale, seed, now). Does not commit (the caller owns the transaction).
    Raises DemoDataError if the database already holds branches, ValueError if `scale` is
    below 20 (the featured accounts need a dozen Shanghai customers).
    """
    if scale < _MIN_SCALE:
        raise ValueError(f"scale must be at least {_MIN_SCALE}")
    if (await session.execute(select(Branch.id).limit(1))).first() is not None:
        raise DemoDataError("the database already holds branches; demo data needs an empty one")
    # One version for the whole load, written into the rows themselves: bulk inserts bypass
    # the flush hook that stamps ORM-added rows.
    version = await session.run_sync(versioning.next_version)
    clock = Clock((now or clock_of(session).now()).replace(microsecond=0))
    demo = Demo(session, scale=scale, seed=seed, version=version, clock=clock)
    summary = await build(demo)
    await load_inventory(session, version=version, at=clock.base)
    await report_positions(demo)
    # The tickets went in by bulk statements, past the counts' flush hook: count them once.
    await ticket_counts.rebuild(session)
    return summary
