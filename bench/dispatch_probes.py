"""What PostgreSQL says about ``bench.dispatch``'s requests: index and table scans of the
technicians, the app's backends (for their CPU) and a cell lookup's plan."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text

from wellspring.domain.db import create_engine

# The three cell indexes the search is meant to use, and the branch index it could use instead.
SCANNED_INDEXES = (
    "ix_technicians_home_cell",
    "ix_technicians_position_cell",
    "ix_technicians_site_cell",
    "ix_technicians_branch_id",
)


async def technician_scans(url: str) -> dict[str, int]:
    """PostgreSQL's cumulative scan counters for the technicians table and its cell indexes."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            found = {
                row[0]: int(row[1])
                for row in await conn.execute(
                    text(
                        "SELECT indexrelname, idx_scan FROM pg_stat_user_indexes "
                        "WHERE relname = 'technicians'"
                    )
                )
            }
            seq = await conn.scalar(
                text("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'technicians'")
            )
    finally:
        await engine.dispose()
    scans = {name: found.get(name, 0) for name in SCANNED_INDEXES}
    scans["technicians_seq_scan"] = int(seq or 0)
    return scans


async def app_backends(url: str) -> list[int]:
    """Process ids of the PostgreSQL backends serving the app (every other connection to it)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return [int(row[0]) for row in rows]
    finally:
        await engine.dispose()


_LONG_ARRAY = re.compile(r"'\{([^}]{120,})\}'")
_LONG_IN = re.compile(r"IN \(((?:'[0-9a-f]+'(?:, )?){6,})\)")


def _shorten(line: str) -> str:
    """Plans quote every cell of the ring: keep the shape, not thousands of cell ids."""
    line = _LONG_ARRAY.sub(lambda x: f"'{{{x.group(1).count(',') + 1} cells}}'", line)
    return _LONG_IN.sub(lambda x: f"IN ({x.group(1).count(',') + 1} cells)", line)


async def explain(
    url: str, kind: str, statement: str, params: Any, generic: bool = False
) -> list[str]:
    """The plan of a cell lookup exactly as the service sent it (with its parameters).

    ``generic``: PostgreSQL's plan without the parameter values, which it may switch to once a
    prepared statement (asyncpg prepares every one) has run five times.
    """
    engine = create_engine(url)
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if kind == "postgresql" else "EXPLAIN QUERY PLAN "
    try:
        async with engine.connect() as conn:
            if generic:
                await conn.execute(text("SET plan_cache_mode = force_generic_plan"))
            rows = (await conn.exec_driver_sql(prefix + statement, tuple(params))).all()
    finally:
        await engine.dispose()
    return [_shorten(str(row[0] if kind == "postgresql" else row[-1])) for row in rows]
