"""Every report at bench scale: each report's time beside the 1 s target, in one run.

The database is the tickets benchmark's (``var/bench/tickets-<scale>.db``, 100,000 customers
by default, loaded once with the deterministic demo data). Each report runs in process as HQ
(every branch: the widest, slowest reading) and as one branch's clerk, over the last 30 days
and over a full year (the longest range a report takes), and the monthly workbook is built
once. Each figure is the best of ``--repeat`` runs (the first warms the cache). Run from the
repository root:

    python -m bench.reports [--database-url URL] [--scale N] [--repeat R]

Nothing is asserted: a time over the target is printed as such (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import platform
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from wellspring.domain.actor import Actor
from wellspring.domain.config import TIME_ZONE
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.models import Branch, User
from wellspring.domain.models.enums import Role
from wellspring.domain.reports import monthly, tables, usage
from wellspring.tabular.charts import workbook

from .database import BENCH_VAR, default_url, ensure_database

TARGET_SECONDS = 1.0
RESULTS = BENCH_VAR / "reports-results.json"


async def _best(repeat: int, work: Callable[[], Awaitable[Any]]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        await work()
        best = min(best, time.perf_counter() - started)
    return best


async def _actors(session: Any) -> dict[str, Actor]:
    branch = await session.scalar(select(Branch.id).where(Branch.code == "SH"))
    branch = branch or await session.scalar(select(Branch.id).order_by(Branch.code).limit(1))
    hq = await session.scalar(select(User.id).where(User.role == Role.HQ).limit(1))
    return {
        "hq": Actor(user_id=hq or "", username="bench", role=Role.HQ),
        "clerk": Actor(user_id="", username="bench-clerk", role=Role.CLERK, branch_id=branch),
    }


async def run(url: str, repeat: int) -> list[dict[str, Any]]:
    engine = create_engine(url)
    figures: list[dict[str, Any]] = []
    try:
        async with session_factory(engine)() as session:
            actors = await _actors(session)
            today = dt.datetime.now(TIME_ZONE).date()
            ranges = {
                "30 days": (today - dt.timedelta(days=29), today),
                "365 days": (today - dt.timedelta(days=364), today),
            }
            for who, actor in actors.items():
                for span, (first, last) in ranges.items():
                    for name in tables.ReportName:

                        async def one(
                            name: tables.ReportName = name,
                            actor: Actor = actor,
                            first: dt.date = first,
                            last: dt.date = last,
                        ) -> Any:
                            return await tables.table(
                                session, actor, name, branch_id=None, first=first, last=last
                            )

                        seconds = await _best(repeat, one)
                        figures.append(
                            {"report": name.value, "as": who, "range": span, "s": seconds}
                        )
            month = f"{today:%Y-%m}"

            async def summary() -> bytes:
                return workbook(await monthly.summary(session, actors["hq"], month=month), month)

            figures.append(
                {
                    "report": "monthly workbook",
                    "as": "hq",
                    "range": month,
                    "s": await _best(repeat, summary),
                }
            )

            async def due() -> Any:
                return await usage.due_devices(session, now=dt.datetime.now(dt.UTC))

            figures.append(
                {
                    "report": "maintenance: devices due",
                    "as": "system",
                    "range": "today",
                    "s": await _best(repeat, due),
                }
            )
            await session.rollback()
    finally:
        await engine.dispose()
    return figures


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000, help="customers (default 100000)")
    parser.add_argument("--database-url", help="default: var/bench/tickets-<scale>.db")
    parser.add_argument("--repeat", type=int, default=3, help="runs per report (best kept)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url = args.database_url or default_url(args.scale)
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    customers = ensure_database(url, args.scale)
    figures = asyncio.run(run(url, max(1, args.repeat)))
    print(f"reports at {customers} customers ({url.split(':', 1)[0]}), target {TARGET_SECONDS} s")
    print(f"{'report':<26} {'as':<7} {'range':<9} {'seconds':>8}  {'x target':>8}")
    over = 0
    for f in figures:
        ratio = f["s"] / TARGET_SECONDS
        over += ratio > 1
        mark = "  OVER" if ratio > 1 else ""
        print(f"{f['report']:<26} {f['as']:<7} {f['range']:<9} {f['s']:>8.3f}  {ratio:>8.2f}{mark}")
    print(f"{over} of {len(figures)} over the target")
    RESULTS.write_text(
        json.dumps(
            {"machine": platform.platform(), "customers": customers, "figures": figures}, indent=2
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
