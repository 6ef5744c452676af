"""The history ``bench.dispatch`` loads once: customers with one address each, then tickets
with one job each, about 5 % of them open and assigned to the first engineers (Core bulk
inserts in batches, ``dispatch_world.py``'s company)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from wellspring.domain import models as m
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.db import create_engine
from wellspring.domain.models.enums import (
    Channel,
    CustomerKind,
    CustomerTier,
    JobStatus,
    OwnerKind,
    Priority,
    TicketStatus,
)

from .dispatch_world import (
    BATCH,
    BRANCHES,
    CITY_KM,
    OPEN_SHARE,
    WEIGHTS,
    WORK_TYPES,
    WORK_WEIGHTS,
    World,
    insert_rows,
    log,
    near,
    new_id,
    tally,
)


async def load_history(url: str, world: World, jobs: int, rng: Any) -> None:
    """Customers with one address each, then ``jobs`` tickets with one job each."""
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(SHANGHAI).date()
    engine = create_engine(url)
    try:
        customers: list[tuple[int, str, str]] = []  # branch, customer id, address id
        rows_c: list[dict[str, Any]] = []
        rows_a: list[dict[str, Any]] = []
        started = time.perf_counter()
        for n in range(max(1_000, jobs // 5)):
            b = rng.choices(range(len(BRANCHES)), weights=WEIGHTS)[0]
            place = BRANCHES[b]
            customer_id, address_id = new_id(), new_id()
            created = now - dt.timedelta(days=rng.uniform(30, 1500))
            customers.append((b, customer_id, address_id))
            rows_c.append(
                {
                    "id": customer_id,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                    "code": f"C{n:08d}",
                    "name": f"客户{n}",
                    "kind": CustomerKind.PERSON,
                    "tier": CustomerTier.IRON,
                    "phone": f"139{n:08d}",
                    "owner_kind": OwnerKind.BRANCH,
                    "branch_id": world.branch_ids[b],
                }
            )
            lat, lon = near(rng, place.lat, place.lon, CITY_KM)
            rows_a.append(
                {
                    "id": address_id,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                    "customer_id": customer_id,
                    "province": place.province,
                    "city": place.city,
                    "district": rng.choice(place.districts),
                    "street": "",
                    "community": f"小区{n % 997}",
                    "latitude": lat,
                    "longitude": lon,
                    "is_approximate": False,
                    "coordinate_source": "client",
                    "is_default": True,
                }
            )
        await _insert_pair(
            engine,
            world,
            started,
            ("customers", m.Customer, rows_c),
            ("addresses", m.Address, rows_a),
        )
        spent = time.perf_counter() - started
        log(f"  customers + addresses: {len(rows_c):,} each in {spent:.0f} s")
        del rows_c, rows_a

        number = 0
        while number < jobs:
            made_at = time.perf_counter()
            tickets: list[dict[str, Any]] = []
            job_rows: list[dict[str, Any]] = []
            for _ in range(min(BATCH, jobs - number)):
                b, customer_id, address_id = customers[rng.randrange(len(customers))]
                branch_id = world.branch_ids[b]
                kind = rng.choices(WORK_TYPES, weights=WORK_WEIGHTS)[0]
                ticket_id, job_id = new_id(), new_id()
                engineer = rng.choice(world.engineers[b])
                if rng.random() < OPEN_SHARE:
                    # Open work: a two-hour window today or tomorrow, half of it assigned.
                    day = today + dt.timedelta(days=rng.randrange(2))
                    hour = rng.randrange(9, 18)
                    start = dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)
                    start = start.astimezone(dt.UTC)
                    created = now - dt.timedelta(hours=rng.uniform(1, 48))
                    assigned = rng.random() < 0.5
                    ticket_status = TicketStatus.ASSIGNED if assigned else TicketStatus.DISPATCHED
                    job_status = JobStatus.ASSIGNED if assigned else JobStatus.PENDING
                    technician = engineer if assigned else None
                    closed = completed = None
                    world.open_job_ids.append(job_id)
                else:
                    created = now - dt.timedelta(days=rng.uniform(3, 730))
                    start = created + dt.timedelta(days=1)
                    ticket_status, job_status = TicketStatus.CLOSED, JobStatus.COMPLETED
                    technician = engineer
                    completed = start + dt.timedelta(hours=1)
                    closed = completed + dt.timedelta(days=2)
                tickets.append(
                    {
                        "id": ticket_id,
                        "created_at": created,
                        "updated_at": closed or created,
                        "version": 1,
                        "number": f"T{number:09d}",
                        "type": kind,
                        "status": ticket_status,
                        "priority": Priority.NORMAL,
                        "channel": Channel.HOTLINE,
                        "customer_id": customer_id,
                        "branch_id": branch_id,
                        "address_id": address_id,
                        "created_by_id": world.hq_user_id,
                        "closed_at": closed,
                        "details": {},
                        "revision": 1,
                    }
                )
                job_rows.append(
                    {
                        "id": job_id,
                        "created_at": created,
                        "updated_at": completed or created,
                        "version": 1,
                        "number": f"J{number:09d}",
                        "ticket_id": ticket_id,
                        "branch_id": branch_id,
                        "technician_id": technician,
                        "status": job_status,
                        "appointment_start": start,
                        "appointment_end": start + dt.timedelta(hours=2),
                        "completed_at": completed,
                        "report": {},
                        "revision": 1,
                    }
                )
                number += 1
            await _insert_pair(
                engine, world, made_at, ("tickets", m.Ticket, tickets), ("jobs", m.Job, job_rows)
            )
            if number % 200_000 == 0 or number == jobs:
                spent = world.load_seconds["tickets"] + world.load_seconds["jobs"]
                log(f"  tickets + jobs: {number:,} of {jobs:,} ({spent:.0f} s)")
    finally:
        await engine.dispose()


Table = tuple[str, Any, list[dict[str, Any]]]  # a tally's name, the model, its rows


async def _insert_pair(
    engine: Any, world: World, made_at: float, first: Table, second: Table
) -> None:
    """Insert two tables' rows in one transaction and tally each: the time spent making the
    rows since ``made_at`` is part of the load, charged to the two tables pro rata."""
    t0 = time.perf_counter()
    async with engine.begin() as conn:
        await insert_rows(conn, first[1], first[2])
        t1 = time.perf_counter()
        await insert_rows(conn, second[1], second[2])
    t2 = time.perf_counter()
    made = t0 - made_at
    tally(world, first[0], len(first[2]), made / 2 + t1 - t0)
    tally(world, second[0], len(second[2]), made / 2 + t2 - t1)
