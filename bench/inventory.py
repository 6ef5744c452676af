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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .database import backend
from .driver import percentile
from .inventory_clients import Job, Tally, run_clients
from .inventory_report import HEADER, Figures, table_line, target_lines
from .inventory_world import ensure_database, prepare, setup, verify
from .lock_waits import LockSampler, share

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_inventory"
RESULTS = Path(__file__).resolve().parent / "results"
WORKLOADS = ("contended", "spread")


def _log(text: str) -> None:
    """Progress goes to stderr so that ``--json`` leaves stdout to the results."""
    print(text, file=sys.stderr, flush=True)


# -- one run: set up, time in slices, check ---------------------------------------------------


@dataclass
class Run:
    """One workload at one client and process count, accumulated over its slices."""

    workload: str
    clients: int
    processes: int
    warehouse_ids: list[str]
    tally: Tally = field(default_factory=lambda: Tally(server_cpu_s=0.0, server_queue_s=0.0))
    seconds: float = 0.0
    round_rates: list[float] = field(default_factory=list)
    checks: int = 0
    balances: int = 0
    problems: list[str] = field(default_factory=list)
    busy_samples: int = 0
    lock_samples: int = 0
    # Backend-seconds spent executing COMMIT (sampled), and the operations done meanwhile.
    commit_seconds: float = 0.0
    sampled_ops: int = 0

    def figures(self) -> Figures:
        tally = self.tally
        latencies = sorted(tally.latencies)
        done = max(len(latencies), 1)
        attempts = max(tally.succeeded + tally.errors, 1)
        server, queued = tally.server_cpu_s, tally.server_queue_s
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
            client_queue_ms=round(tally.cpu_queue_s / attempts * 1000, 2),
            server_queue_ms=None if queued is None else round(queued / attempts * 1000, 2),
            lock_wait_share=_rounded(share(self.lock_samples, self.busy_samples)),
            server_commit_ms=None
            if not self.sampled_ops
            else round(self.commit_seconds / self.sampled_ops * 1000, 2),
            invariant_held=not self.problems,
            balances_checked=self.balances,
            invariant_checks=self.checks,
            round_ops_per_second=[round(r, 1) for r in self.round_rates],
            first_error=tally.first_error,
            invariant_problems=self.problems[:20],
        )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def time_slice(url: str, part_id: str, run: Run, seconds: float, warmup: float) -> float:
    """Time one slice of ``run`` on its own rows, then check them; returns its ops/s."""
    job = Job(url, part_id, run.warehouse_ids, warmup, seconds)
    if backend(url) == "postgresql":
        with LockSampler(url) as sampler:
            tally = run_clients(job, run.processes)
        run.busy_samples += sampler.busy
        run.lock_samples += sampler.waiting
        if sampler.samples:
            run.commit_seconds += sampler.committing / sampler.samples * sampler.seconds
            run.sampled_ops += tally.succeeded
    else:
        tally = run_clients(job, run.processes)
    run.tally.merge(tally)
    run.seconds += seconds
    rate = len(tally.latencies) / seconds
    run.round_rates.append(rate)
    invariant = asyncio.run(
        verify(url, part_id, sorted(set(run.warehouse_ids)), run.tally.succeeded)
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
        w: Run(w, clients, processes, asyncio.run(prepare(url, part_id, w, clients)))
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
    part_id, statements, version = asyncio.run(setup(url))
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
