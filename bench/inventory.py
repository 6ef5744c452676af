"""Stock consumption throughput under contention: ``ledger.post`` as the app calls it.

Clients consume one unit per transaction, either all from the same balance row
(``contended``) or each from its own warehouse (``spread``, the ceiling). Run from the
repository root:

    python -m bench.inventory [--database-url URL] [--clients 1,10,50] [--seconds S]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from wellspring.api import migrations
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.inventory import ledger
from wellspring.domain.models.enums import LedgerKind, StockBin, WarehouseKind

from .database import _create_postgres_database, backend
from .driver import percentile
from .inventory_clients import Job, Tally, consume, run_clients
from .inventory_report import HEADER, Figures, table_line, target_lines
from .lock_waits import LockSampler, share

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_inventory"
RESULTS = Path(__file__).resolve().parent / "results"
WORKLOADS = ("contended", "spread")
# Far more than any run can consume (a few thousand per second for seconds), so a failed
# consumption is always an error of the system, never an empty shelf.
INITIAL_STOCK = 10_000_000


def _log(text: str) -> None:
    """Progress goes to stderr so that ``--json`` leaves stdout to the results."""
    print(text, file=sys.stderr, flush=True)


# -- setup and the invariant -------------------------------------------------------------------


async def _new_part(factory: async_sessionmaker[AsyncSession]) -> str:
    """A part of its own for this benchmark run, so no other data is touched or needed."""
    async with transaction(factory) as session:
        part = m.Part(sku=f"BENCH-{uuid.uuid4().hex[:12]}", name="Benchmark part")
        session.add(part)
        await session.flush()
        return part.id


async def _stocked_warehouses(
    factory: async_sessionmaker[AsyncSession], part_id: str, count: int
) -> list[str]:
    """``count`` new warehouses, each receiving ``INITIAL_STOCK`` of the part."""
    async with transaction(factory) as session:
        warehouses = [
            m.Warehouse(
                code=f"BENCH-{uuid.uuid4().hex[:12]}",
                name="Benchmark",
                kind=WarehouseKind.REPAIR_STATION,
            )
            for _ in range(count)
        ]
        session.add_all(warehouses)
        await session.flush()
        for warehouse in warehouses:
            await ledger.post(
                session,
                SYSTEM,
                warehouse_id=warehouse.id,
                part_id=part_id,
                bin_=StockBin.GOOD,
                delta=INITIAL_STOCK,
                kind=LedgerKind.RECEIPT,
                note="bench.inventory",
            )
        return [w.id for w in warehouses]


@dataclass
class Invariant:
    balances: int
    held: bool
    problems: list[str] = field(default_factory=list)


async def _check_invariant(
    factory: async_sessionmaker[AsyncSession], part_id: str, warehouse_ids: list[str], used: int
) -> Invariant:
    """Each balance equals the sum of its ledger, is >= 0, and lost exactly ``used`` units."""
    entries = (
        select(m.StockEntry.warehouse_id, func.sum(m.StockEntry.delta).label("total"))
        .where(
            m.StockEntry.part_id == part_id,
            m.StockEntry.bin == StockBin.GOOD,
            m.StockEntry.warehouse_id.in_(warehouse_ids),
        )
        .group_by(m.StockEntry.warehouse_id)
        .subquery()
    )
    async with factory() as session:
        rows = (
            await session.execute(
                select(m.StockBalance.warehouse_id, m.StockBalance.quantity, entries.c.total)
                .outerjoin(entries, entries.c.warehouse_id == m.StockBalance.warehouse_id)
                .where(
                    m.StockBalance.part_id == part_id,
                    m.StockBalance.bin == StockBin.GOOD,
                    m.StockBalance.warehouse_id.in_(warehouse_ids),
                )
            )
        ).all()
    problems: list[str] = []
    if len(rows) != len(set(warehouse_ids)):
        problems.append(f"{len(rows)} balances found for {len(set(warehouse_ids))} warehouses")
    for row in rows:
        if row.quantity != (row.total or 0):
            problems.append(f"{row.warehouse_id}: balance {row.quantity} != ledger {row.total}")
        if row.quantity < 0:
            problems.append(f"{row.warehouse_id}: balance {row.quantity} < 0")
    consumed = len(rows) * INITIAL_STOCK - sum(row.quantity for row in rows)
    if consumed != used:
        problems.append(f"{consumed} units consumed but {used} consumptions succeeded")
    return Invariant(balances=len(rows), held=not problems, problems=problems)


async def _statements_per_consumption(
    engine: AsyncEngine, factory: async_sessionmaker[AsyncSession], part_id: str, warehouse: str
) -> list[str]:
    """The statements of one (untimed) consumption, as SQLAlchemy sends them to the driver.

    Neither the pool's ping nor asyncpg's BEGIN and COMMIT pass through here; SQLite's
    ``BEGIN IMMEDIATE`` does.
    """
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await consume(factory, part_id, warehouse)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    return seen


# -- one run: set up, time in slices, check ---------------------------------------------------


@dataclass
class Run:
    """One workload at one client and process count, accumulated over its slices."""

    workload: str
    clients: int
    processes: int
    warehouse_ids: list[str]
    tally: Tally = field(default_factory=lambda: Tally(server_cpu_s=0.0))
    seconds: float = 0.0
    round_rates: list[float] = field(default_factory=list)
    checks: int = 0
    balances: int = 0
    problems: list[str] = field(default_factory=list)
    busy_samples: int = 0
    lock_samples: int = 0

    def figures(self) -> Figures:
        tally = self.tally
        latencies = sorted(tally.latencies)
        done = max(len(latencies), 1)
        attempts = max(tally.succeeded + tally.errors, 1)
        server = tally.server_cpu_s
        return Figures(
            workload=self.workload,
            processes=self.processes,
            clients=self.clients,
            operations=len(latencies),
            seconds=round(self.seconds, 3),
            ops_per_second=round(len(latencies) / max(self.seconds, 1e-9), 1),
            p50_ms=round(percentile(latencies, 0.50) * 1000, 2),
            p99_ms=round(percentile(latencies, 0.99) * 1000, 2),
            max_ms=round((latencies[-1] if latencies else 0.0) * 1000, 2),
            errors=tally.errors,
            begin_ms=round(tally.begin_s / done * 1000, 2),
            post_ms=round(tally.post_s / done * 1000, 2),
            commit_ms=round(tally.commit_s / done * 1000, 2),
            stamps_ms=round(tally.stamps_s / done * 1000, 2),
            commit_rt_ms=round(tally.commit_rt_s / done * 1000, 2),
            loop_wait_ms=round(tally.loop_wait_s / max(tally.loop_samples, 1) * 1000, 2),
            client_cpu_ms=round(tally.cpu_s / attempts * 1000, 2),
            server_cpu_ms=None if server is None else round(server / attempts * 1000, 2),
            lock_wait_share=_rounded(share(self.lock_samples, self.busy_samples)),
            invariant_held=not self.problems,
            balances_checked=self.balances,
            invariant_checks=self.checks,
            round_ops_per_second=[round(r, 1) for r in self.round_rates],
            first_error=tally.first_error,
            invariant_problems=self.problems[:20],
        )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


async def _prepare(url: str, part_id: str, workload: str, clients: int) -> list[str]:
    """Per client, the warehouse it consumes from: one for all, or one each."""
    engine = create_engine(url)
    try:
        fresh = 1 if workload == "contended" else clients
        warehouses = await _stocked_warehouses(session_factory(engine), part_id, fresh)
    finally:
        await engine.dispose()
    return warehouses * clients if workload == "contended" else warehouses


async def _verify(url: str, part_id: str, warehouse_ids: list[str], used: int) -> Invariant:
    engine = create_engine(url)
    try:
        return await _check_invariant(session_factory(engine), part_id, warehouse_ids, used)
    finally:
        await engine.dispose()


def time_slice(url: str, part_id: str, run: Run, seconds: float, warmup: float) -> float:
    """Time one slice of ``run`` on its own rows, then check them; returns its ops/s."""
    job = Job(url, part_id, run.warehouse_ids, warmup, seconds)
    if backend(url) == "postgresql":
        with LockSampler(url) as sampler:
            tally = run_clients(job, run.processes)
        run.busy_samples += sampler.busy
        run.lock_samples += sampler.waiting
    else:
        tally = run_clients(job, run.processes)
    run.tally.merge(tally)
    run.seconds += seconds
    rate = len(tally.latencies) / seconds
    run.round_rates.append(rate)
    invariant = asyncio.run(
        _verify(url, part_id, sorted(set(run.warehouse_ids)), run.tally.succeeded)
    )
    run.checks += 1
    run.balances = invariant.balances
    run.problems.extend(f"slice {run.checks}: {p}" for p in invariant.problems)
    return rate


def measure_pair(
    url: str, part_id: str, clients: int, processes: int, args: argparse.Namespace, first: int
) -> tuple[list[Figures], list[float]]:
    """Both workloads at one client count, in slices taken in turns; and each round's ratio.

    Each workload gets fresh, fully stocked rows used by no other run.
    """
    runs = {
        w: Run(w, clients, processes, asyncio.run(_prepare(url, part_id, w, clients)))
        for w in WORKLOADS
    }
    ratios: list[float] = []
    for r in range(args.rounds):
        # Slices in turns (ABBA) so that load from elsewhere on a shared machine, which comes
        # and goes, and the growing ledger fall on both workloads alike.
        order = WORKLOADS if (r + first) % 2 == 0 else WORKLOADS[::-1]
        rates = {
            w: time_slice(url, part_id, runs[w], args.seconds / args.rounds, args.warmup)
            for w in order
        }
        ratios.append(rates["contended"] / max(rates["spread"], 1e-9))
        _log(
            f"{clients} clients, {processes} process(es), round {r + 1}: contended "
            f"{rates['contended']:.1f} ops/s, spread {rates['spread']:.1f} ops/s"
        )
    return [runs[w].figures() for w in WORKLOADS], ratios


async def _setup(url: str) -> tuple[str, list[str], str]:
    """The run's part, the statements of one consumption, and the server's version."""
    engine = create_engine(url)
    factory = session_factory(engine)
    try:
        part_id = await _new_part(factory)
        [warehouse] = await _stocked_warehouses(factory, part_id, 1)
        statements = await _statements_per_consumption(engine, factory, part_id, warehouse)
        async with engine.connect() as conn:
            query = "SELECT sqlite_version()" if backend(url) == "sqlite" else "SHOW server_version"
            version = str(await conn.scalar(text(query)))
    finally:
        await engine.dispose()
    return part_id, statements, version


def ensure_database(url: str) -> None:
    """Create (PostgreSQL) and migrate the database; the benchmark adds its own rows."""
    if backend(url) == "postgresql":
        asyncio.run(_create_postgres_database(url))
    migrations.upgrade(url)


# -- reporting -----------------------------------------------------------------------------


def _counts(value: str) -> list[int]:
    try:
        counts = sorted({int(x) for x in value.split(",") if x.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {value}") from exc
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError("give positive numbers, e.g. 1,10,50")
    return counts


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.inventory",
        description="Stock consumption throughput: one hot balance against one balance each.",
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_URL,
        help=f"SQLAlchemy async URL (default: {DEFAULT_URL}); a missing PostgreSQL "
        "database is created",
    )
    parser.add_argument(
        "--clients", type=_counts, default=[1, 10, 50], help="concurrent clients, e.g. 1,10,50"
    )
    parser.add_argument(
        "--processes",
        type=_counts,
        help="processes the clients are spread over, e.g. 1,2 (default: 1,2 on PostgreSQL, "
        "1 on SQLite, where writers are serialised anyway); counts above the clients are skipped",
    )
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="timed seconds per run (at most 600)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="split each run's seconds into this many slices, the two workloads in turns",
    )
    parser.add_argument("--warmup", type=float, default=1.0, help="untimed seconds per slice")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not 0 < args.seconds <= 600 or not 0 <= args.warmup <= 60:
        raise SystemExit("--seconds must be in (0, 600], --warmup in [0, 60]")
    if not 1 <= args.rounds <= 50 or args.seconds / args.rounds < 0.5:
        raise SystemExit("--rounds must be 1 to 50, with slices of at least 0.5 s")
    url: str = args.database_url
    kind = backend(url)
    processes: list[int] = args.processes or ([1, 2] if kind == "postgresql" else [1])
    # Each client holds a connection of its own: stay well clear of PostgreSQL's default
    # max_connections (100), which everything else on the server shares.
    if max(args.clients) > 80:
        raise SystemExit("--clients: at most 80")

    ensure_database(url)
    part_id, statements, version = asyncio.run(_setup(url))
    header = {
        "benchmark": "inventory",
        "backend": kind,
        "server_version": version,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "statements_per_consumption": len(statements),
    }
    if not args.json:
        print(
            f"Stock consumption on {kind} {version}: {args.seconds:g} s per run in "
            f"{args.rounds} slices taken in turns, each after {args.warmup:g} s warm-up; "
            f"{len(statements)} statements per consumption"
        )
        print(HEADER)

    figures: list[Figures] = []
    ratios: list[dict[str, Any]] = []
    pairs = [(c, p) for c in args.clients for p in processes if p <= c]
    for i, (clients, procs) in enumerate(pairs):
        pair, round_ratios = measure_pair(url, part_id, clients, procs, args, i)
        figures.extend(pair)
        contended, spread = pair
        ratio = contended.ops_per_second / max(spread.ops_per_second, 1e-9)
        summary = {
            "processes": procs,
            "clients": clients,
            "ratio": round(ratio, 3),
            "round_ratios": [round(x, 3) for x in round_ratios],
        }
        ratios.append(summary)
        for f in pair:
            if args.json:
                print(json.dumps(header | asdict(f), ensure_ascii=False), flush=True)
                continue
            print(table_line(f), flush=True)
            if f.first_error:
                print(f"  first error: {f.first_error}")
            held = "held" if f.invariant_held else "BROKEN: " + "; ".join(f.invariant_problems)
            print(
                f"  invariant {held} on {f.balances_checked} balance(s), "
                f"checked after each of {f.invariant_checks} slices",
                flush=True,
            )

    if args.json:
        print(json.dumps(header | {"ratios": ratios}))
    else:
        print("ratio contended/spread (ops/s):")
        for r in ratios:
            turns = f"rounds {min(r['round_ratios']):.2f} to {max(r['round_ratios']):.2f}"
            print(
                f"  {r['clients']:>3} clients, {r['processes']} process(es): "
                f"{r['ratio']:.2f} ({turns})"
            )

        targets = target_lines(figures)
        if targets:
            print("targets (issue 19, point 1):")
            print("\n".join(targets))

    RESULTS.mkdir(parents=True, exist_ok=True)
    record = header | {
        "part_id": part_id,
        "runs": [asdict(f) for f in figures],
        "ratios": ratios,
        "statements": statements,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    (RESULTS / f"inventory-{kind}.json").write_text(json.dumps(record, indent=2) + "\n")
    broken = [f for f in figures if not f.invariant_held]
    if broken:
        print(f"invariant broken in {len(broken)} run(s); see above", file=sys.stderr)
    return 1 if broken or any(f.errors for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
