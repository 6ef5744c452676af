"""Migration 0013e: stored route plans move to the domain's snake_case keys, and back."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import select

from tests.factories import fetch
from wellspring.api import migrations
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.masterdata.setup import initialize
from wellspring.domain.models import Branch, RoutePlan

STOP = {"jobId": "j-1", "arrivalAt": "2026-12-03T09:00:00+08:00", "travelSeconds": 60}
CAMEL = [{"technicianId": "t-1", "lunchAfterPosition": 1, "stops": [{**STOP, "fixed": False}]}]
SNAKE = [
    {
        "technician_id": "t-1",
        "lunch_after_position": 1,
        "stops": [
            {
                "job_id": "j-1",
                "arrival_at": "2026-12-03T09:00:00+08:00",
                "travel_seconds": 60,
                "fixed": False,
            }
        ],
    }
]


def _seed(url: str) -> None:
    async def seed() -> None:
        engine = create_engine(url)
        try:
            async with transaction(session_factory(engine)) as session:
                admin = await initialize(session, admin_username="root", password="password-123")
                branch = await session.scalar(select(Branch.id).limit(1))
                session.add(
                    RoutePlan(
                        branch_id=branch,
                        day=dt.date(2026, 12, 3),
                        created_by_id=admin.id,
                        routes=CAMEL,
                        unplaced=[{"jobId": "j-2", "reason": "NO_COORDINATES"}],
                    )
                )
        finally:
            await engine.dispose()

    asyncio.run(seed())


# The revision 0013e follows (it comes last, so every table the models know exists there).
BEFORE = "0013n"


def _stored(url: str) -> tuple[Any, Any]:
    ((routes, unplaced),) = fetch(url, select(RoutePlan.routes, RoutePlan.unplaced))
    return routes, unplaced


def test_route_plans_are_rewritten_to_snake_case_and_back(empty_database_url: str) -> None:
    url = empty_database_url
    migrations.upgrade(url, BEFORE)
    _seed(url)  # the models' columns are the same just before 0013e: only the keys changed
    migrations.upgrade(url)
    assert _stored(url) == (SNAKE, [{"job_id": "j-2", "reason": "NO_COORDINATES"}])
    migrations.downgrade(url, BEFORE)
    assert _stored(url) == (CAMEL, [{"jobId": "j-2", "reason": "NO_COORDINATES"}])
