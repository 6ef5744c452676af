"""Phone sync at two database sizes: a pull of 5,000 changes and a push of 500 mutations.

A pull reads what the engineer may hold and what changed after the cursor, so its cost should
follow the engineer's jobs and the changes, not the size of the database (docs/sync.md). For
each engine and each size (demo scale, then ``--factor`` times the rows) a fresh database gets
the demo data, one busy engineer with ``--jobs`` assigned jobs, and at the larger size unrelated
work of other engineers and their phones. The real app then serves ``POST /sync/pull`` and
``POST /sync/push`` in process (Starlette's ``TestClient``). Run from the repository root:

    python -m bench.sync [--engines postgresql,sqlite] [--scale 200] [--factor 10] [--repeat 5]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import secrets
import statistics
import sys
import time
from dataclasses import asdict
from typing import Any

from starlette.testclient import TestClient

from wellspring.domain import models as m

from .database import ThrowawayDatabase
from .statement_timer import StatementTimer
from .sync_client import Pulled, headers_for, login, pull, push, push_body
from .sync_report import Figures, growth, print_table, print_targets, targets
from .sync_rounds import counts, job_statuses, reset_jobs, row_counts, touch
from .sync_world import (
    PER_JOB,
    Busy,
    add_busy_engineer,
    add_other_work,
    analyze,
    load_demo,
    log,
)

ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
EMPTY_PULLS = 5  # empty pulls per round: the empty pull is short, so it is taken more often
PUSH_NOTES = 250  # a push: this many notes and as many ACCEPT events, on as many jobs


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1) if values else 0.0


def _least(values: list[float]) -> float:
    return round(min(values), 1) if values else 0.0


class Site:
    """One database (one size) with the app serving it, measured round by round."""

    def __init__(self, kind: str, admin_url: str, size: str, scale: int) -> None:
        self.db = ThrowawayDatabase(kind, admin_url, f"sync_{size}")
        self.size = size
        self.scale = scale
        self.rows: dict[str, int] = {}
        self.busy: Busy | None = None
        self.client: TestClient | None = None
        self.token = ""
        self.headers: dict[str, str] = {}
        self.cursor = 0
        self.changes_cursor = 0
        self.errors: list[str] = []
        self.first: list[Pulled] = []
        self.changed: list[Pulled] = []
        self.empty: list[Pulled] = []
        self.pushes: list[float] = []
        self.replays: list[float] = []
        self.statements: dict[str, Any] = {}

    @property
    def label(self) -> str:
        return f"{self.db.kind} {self.size}"

    def build(self, jobs: int, target_jobs: int | None) -> None:
        """Demo data at the scale, the busy engineer, and (when ``target_jobs`` is set) other
        engineers' work until the jobs table holds that many."""
        log(f"{self.label}: fresh database {self.db.name}")
        self.db.create()
        started = time.perf_counter()
        asyncio.run(load_demo(self.db.url, self.scale))
        log(
            f"{self.label}: demo data at scale {self.scale} ({time.perf_counter() - started:.1f} s)"
        )
        self.busy = asyncio.run(add_busy_engineer(self.db.url, jobs))
        if target_jobs is not None:
            units = max(0, target_jobs - asyncio.run(counts(self.db.url))["jobs"])
            started = time.perf_counter()
            added = asyncio.run(add_other_work(self.db.url, units, self.busy))
            seconds = time.perf_counter() - started
            log(f"{self.label}: other engineers' work: {added} ({seconds:.1f} s)")
        if self.db.kind == "postgresql":
            asyncio.run(analyze(self.db.url))
        self.rows = asyncio.run(counts(self.db.url))
        log(f"{self.label}: rows {self.rows}")

    def open(self) -> None:
        from wellspring.api.app import create_app
        from wellspring.settings import Mode, Settings

        settings = Settings(
            database_url=self.db.url,
            mode=Mode.PRODUCTION,
            secret_key=secrets.token_urlsafe(32),
            log_json=True,
            access_token_minutes=24 * 60,
        )
        app = create_app(settings)
        # create_app logs every request at INFO; in process that would only clutter the console.
        logging.getLogger().setLevel(logging.WARNING)
        self.client = TestClient(app)
        self.client.__enter__()
        assert self.busy is not None
        self.token = login(self.client, self.busy)
        # Untimed warm-up, one of each, so that caches and prepared statements are there.
        headers = headers_for(self.token)
        warm = pull(self.client, headers, None)
        asyncio.run(touch(self.db.url, self.busy))
        pull(self.client, headers, warm.timestamp)

    def close(self) -> None:
        try:
            if self.client is not None:
                self.client.__exit__(None, None, None)
        finally:
            self.db.drop()

    def _timer(self, profiled: bool) -> Any:
        assert self.client is not None
        engine = self.client.app.state.engine.sync_engine  # type: ignore[attr-defined]
        return StatementTimer(engine) if profiled else contextlib.nullcontext()

    def _check(self, kind: str, p: Pulled, created: int | None, updated: int) -> None:
        if p.problem:
            self.errors.append(f"{kind}: HTTP {p.status}: {p.problem}")
        elif (created is not None and p.created < created) or p.updated != updated or p.deleted:
            self.errors.append(
                f"{kind}: {p.created} created, {p.updated} updated, {p.deleted} deleted; "
                f"expected {'at least ' + str(created) if created is not None else 'any'} "
                f"created, {updated} updated, 0 deleted"
            )

    def pull_round(self, name: str, profiled: bool = False) -> None:
        """A new installation's first pull (timed), the 5,000 changes (not timed), the pull of
        those changes from the first pull's cursor (timed), then one pull with nothing changed
        (checked; the empty pulls are timed in ``empty_pull``). A profiled round times each
        statement instead and is not counted."""
        assert self.client is not None
        assert self.busy is not None
        expected = len(self.busy.ids["jobs"]) * len(PER_JOB)
        self.headers = headers_for(self.token)
        timers = [self._timer(profiled) for _ in range(3)]
        with timers[0]:
            p1 = pull(self.client, self.headers, None)
        self._check("first pull", p1, expected, 0)
        asyncio.run(touch(self.db.url, self.busy))
        with timers[1]:
            p2 = pull(self.client, self.headers, p1.timestamp)
        self._check("pull of changes", p2, 0, expected)
        with timers[2]:
            p3 = pull(self.client, self.headers, p2.timestamp)
        self._check("empty pull", p3, 0, 0)
        self.changes_cursor, self.cursor = p2.timestamp, p3.timestamp
        if profiled:
            for kind, timer in zip(("first_pull", "pull", "empty_pull"), timers, strict=True):
                self.statements[kind] = timer.summary()
        else:
            self.first.append(p1)
            self.changed.append(p2)
        log(
            f"{self.label} {name}: first pull {p1.ms:.0f} ms ({p1.records} records), "
            f"pull of changes {p2.ms:.0f} ms ({p2.records}), empty pull {p3.ms:.0f} ms"
        )

    def empty_pull(self) -> None:
        """The last installation pulls again, as a phone does, with the cursor its last pull
        returned: nothing has changed (the server's fast path, docs/sync.md)."""
        assert self.client is not None
        p = pull(self.client, self.headers, self.cursor)
        self._check("empty pull", p, 0, 0)
        self.empty.append(p)
        self.cursor = p.timestamp

    def push_round(self, index: int, name: str, profiled: bool = False) -> None:
        """From the last installation: 250 notes and 250 ACCEPTs on 250 ASSIGNED jobs (timed),
        then the same push again (timed). The jobs are put back to ASSIGNED first."""
        assert self.client is not None
        assert self.busy is not None
        url = self.db.url
        job_ids = self.busy.ids["jobs"]
        start = (index * PUSH_NOTES) % len(job_ids)
        jobs = (job_ids[start:] + job_ids[:start])[:PUSH_NOTES]
        asyncio.run(reset_jobs(url, jobs))
        body = push_body(jobs, self.cursor)
        before = asyncio.run(row_counts(url, m.JobNote, m.JobEvent))
        timers = [self._timer(profiled) for _ in range(2)]
        with timers[0]:
            ms, problem = push(self.client, self.headers, body)
        after = asyncio.run(row_counts(url, m.JobNote, m.JobEvent))
        with timers[1]:
            replay_ms, replay_problem = push(self.client, self.headers, body)
        again = asyncio.run(row_counts(url, m.JobNote, m.JobEvent))
        statuses = asyncio.run(job_statuses(url, jobs))
        for kind, found in (("push", problem), ("replay", replay_problem)):
            if found:
                self.errors.append(f"{kind}: {found}")
        grown = {k: after[k] - before[k] for k in after}
        if grown != {"job_notes": PUSH_NOTES, "job_events": PUSH_NOTES}:
            self.errors.append(f"push added {grown}, expected {PUSH_NOTES} notes and events")
        if again != after:
            self.errors.append(f"the replay changed rows: {after} -> {again}")
        if statuses != {"ACCEPTED": PUSH_NOTES}:
            self.errors.append(f"after the push the jobs are {statuses}")
        if profiled:
            self.statements["push"] = timers[0].summary()
            self.statements["replay"] = timers[1].summary()
        else:
            self.pushes.append(ms)
            self.replays.append(replay_ms)
        log(f"{self.label} {name}: push {ms:.0f} ms, replay {replay_ms:.0f} ms")

    def figures(self, repeat: int) -> Figures:
        records = 2 * PUSH_NOTES
        last_first, last_changed = self.first[-1], self.changed[-1]
        return Figures(
            engine=self.db.kind,
            size=self.size,
            scale=self.scale,
            rows=self.rows,
            repeat=repeat,
            first_pull_ms=_median([p.ms for p in self.first]),
            first_pull_min_ms=_least([p.ms for p in self.first]),
            first_pull_records=last_first.records,
            first_pull_bytes=last_first.bytes,
            pull_ms=_median([p.ms for p in self.changed]),
            pull_min_ms=_least([p.ms for p in self.changed]),
            pull_records=last_changed.records,
            pull_bytes=last_changed.bytes,
            empty_pull_ms=_median([p.ms for p in self.empty]),
            empty_pull_min_ms=_least([p.ms for p in self.empty]),
            push_ms=_median(self.pushes),
            push_min_ms=_least(self.pushes),
            push_records=records,
            push_ms_per_record=round(statistics.median(self.pushes) / records, 2),
            replay_ms=_median(self.replays),
            replay_min_ms=_least(self.replays),
            errors=len(self.errors),
            first_error=self.errors[0] if self.errors else "",
            statements=self.statements,
        )


# -- one engine --------------------------------------------------------------------------


def run_engine(kind: str, args: argparse.Namespace) -> list[Figures]:
    """Both sizes built, then measured in alternating rounds (small-large, large-small ...)
    so that load from elsewhere on a shared machine falls on both alike."""
    small = Site(kind, args.admin_url, "1x", args.scale)
    large = Site(kind, args.admin_url, f"{args.factor}x", args.scale * args.factor)
    try:
        small.build(args.jobs, None)
        large.build(args.jobs, small.rows["jobs"] * args.factor)
        for site in (small, large):
            site.open()
        for n in range(args.repeat):
            for site in (small, large) if n % 2 == 0 else (large, small):
                site.pull_round(f"round {n + 1}")
        # The empty pull is short, so it is taken many times, the sizes one after the other.
        for n in range(args.repeat * EMPTY_PULLS):
            for site in (small, large) if n % 2 == 0 else (large, small):
                site.empty_pull()
        for site in (small, large):
            times = ", ".join(f"{p.ms:.0f}" for p in site.empty)
            log(f"{site.label}: empty pulls {times} ms")
        for site in (small, large):
            site.pull_round("profile", profiled=True)
        for n in range(args.repeat):
            for site in (small, large) if n % 2 == 0 else (large, small):
                site.push_round(n, f"push {n + 1}")
        for site in (small, large):
            site.push_round(args.repeat, "profile", profiled=True)
        figures = [small.figures(args.repeat), large.figures(args.repeat)]
    finally:
        for site in (small, large):
            site.close()
    for f in figures:
        log(f"{kind} {f.size}: pull of changes {f.pull_ms} ms, push {f.push_ms} ms")
    return figures


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sync",
        description="Phone sync pull and push at demo scale and at --factor times the rows.",
    )
    parser.add_argument("--engines", default="postgresql,sqlite", help="postgresql and/or sqlite")
    parser.add_argument("--scale", type=int, default=200, help="demo scale (customers) at 1x")
    parser.add_argument("--factor", type=int, default=10, help="the larger database's size")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds per measurement")
    parser.add_argument("--jobs", type=int, default=1_000, help="the busy engineer's jobs")
    parser.add_argument("--admin-url", default=ADMIN_URL, help="PostgreSQL admin database")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not engines or not set(engines) <= {"postgresql", "sqlite"}:
        raise SystemExit("--engines takes postgresql and/or sqlite")
    if args.scale < 20 or args.factor < 2 or args.repeat < 1 or args.jobs < PUSH_NOTES:
        raise SystemExit(
            f"--scale must be >= 20, --factor >= 2, --repeat >= 1, --jobs >= {PUSH_NOTES}"
        )
    figures: list[Figures] = []
    for kind in engines:
        figures += run_engine(kind, args)
    if args.json:
        for f in figures:
            line = {"benchmark": "sync"} | asdict(f) | {"targets": targets(f)}
            print(json.dumps(line, ensure_ascii=False))
        for engine in engines:
            own = [f for f in figures if f.engine == engine]
            print(json.dumps({"benchmark": "sync", "growth": growth(*own)}))
    else:
        print(
            f"Phone sync, in process: a busy engineer with {args.jobs:,} jobs "
            f"({args.jobs * len(PER_JOB):,} records); median of {args.repeat} rounds "
            f"({args.repeat * EMPTY_PULLS} empty pulls); "
            f"push = {PUSH_NOTES} notes + {PUSH_NOTES} ACCEPT events"
        )
        print_table(figures)
        print_targets(figures)
    return 1 if any(f.errors for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
