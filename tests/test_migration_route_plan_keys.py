"""Migration 0013e: stored route plans move to the domain's snake_case keys, and back."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

from sqlalchemy import select, text

from tests.factories import fetch
from wellspring.api import migrations
from wellspring.domain.db import create_engine
from wellspring.domain.models import RoutePlan

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
    """One route plan as 0013n stored it, written with the columns of 0013n's tables only
    (the models and ``wellspring init`` know later tables)."""

    async def seed() -> None:
        engine = create_engine(url)
        now = dt.datetime(2026, 12, 3, 8, 0)
        stamp = {"created_at": now, "updated_at": now, "version": 1}
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO branches (id, code, name, name_en, kind, province, city,"
                        " address, phone, is_active, created_at, updated_at, version) VALUES"
                        " ('b-1', 'HQ', '总部', 'HQ', 'HQ', '', '', '', '', true, :created_at,"
                        " :updated_at, :version)"
                    ),
                    stamp,
                )
                await conn.execute(
                    text(
                        "INSERT INTO users (id, username, display_name, password_hash, role,"
                        " phone, locale, is_active, is_demo, created_at, updated_at, version)"
                        " VALUES ('u-1', 'root', 'root', 'x', 'ADMIN', '', 'zh-CN', true,"
                        " false, :created_at, :updated_at, :version)"
                    ),
                    stamp,
                )
                plan = {"routes": json.dumps(CAMEL), "unplaced": json.dumps(UNPLACED_CAMEL)}
                await conn.execute(
                    text(
                        "INSERT INTO route_plans (id, branch_id, day, status, created_by_id,"
                        " routes, unplaced, distance_m, duration_s, solve_ms, created_at,"
                        " updated_at, version) VALUES ('p-1', 'b-1', :day, 'PROPOSED', 'u-1',"
                        " :routes, :unplaced, 0, 0, 0, :created_at, :updated_at, :version)"
                    ),
                    {**stamp, **plan, "day": dt.date(2026, 12, 3)},
                )
        finally:
            await engine.dispose()

    asyncio.run(seed())


UNPLACED_CAMEL = [{"jobId": "j-2", "reason": "NO_COORDINATES"}]


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
