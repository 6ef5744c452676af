"""SuggestTechnicians latency as the engineer count grows, through the real GraphQL endpoint.

The service finds engineers near a job through indexed H3 cells, ring by ring, so its cost
should follow the engineers near the job, not the engineers in the database. For each engine
a fresh database gets ``--jobs`` jobs once; engineers are then added step by step (1,000, then
9,000 more) and the same sampled open jobs are asked for at every step. Run from the
repository root:

    python -m bench.dispatch [--engines postgresql,sqlite] [--jobs N] [--engineers 1000,10000]

See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import secrets
import statistics
import sys
import time
from dataclasses import asdict
from typing import Any

from sqlalchemy import event
from starlette.testclient import TestClient

from wellspring.domain.dispatch import nearby, ranking, suggest
from wellspring.geo import cells
from wellspring.schema.core.ids import global_id

from .database import ROOT, ThrowawayDatabase
from .dispatch_history import load_history
from .dispatch_http import over_http
from .dispatch_probes import app_backends, explain, technician_scans
from .dispatch_profile import profile
from .dispatch_report import Figures, growth, print_table
from .dispatch_tail import tail
from .dispatch_world import (
    World,
    add_engineers,
    analyze,
    create_hq_login,
    load_branches,
    log,
    refresh_positions,
    tally,
)
from .driver import percentile
from .inventory_clients import backend_cpu

ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
SUGGEST_DOCUMENT = (ROOT / "clients" / "dispatcher" / "SuggestTechnicians.graphql").read_text(
    "utf-8"
)
LOGIN_DOCUMENT = (ROOT / "clients" / "everyone" / "Login.graphql").read_text("utf-8")
WARMUP = 20
# -- measuring ---------------------------------------------------------------------------


def _token_of(password: str) -> Any:
    async def login(client: Any) -> str:
        variables = {"username": "bench-hq", "password": password}
        body = {"query": LOGIN_DOCUMENT, "variables": variables}
        answer = (await client.post("/graphql", json=body)).json()
        return str(answer["data"]["login"]["token"])

    return login


def _login(client: TestClient, password: str) -> str:
    variables = {"username": "bench-hq", "password": password}
    answer = client.post("/graphql", json={"query": LOGIN_DOCUMENT, "variables": variables}).json()
    token = ((answer.get("data") or {}).get("login") or {}).get("token")
    if not token:
        raise SystemExit(f"login failed: {json.dumps(answer, ensure_ascii=False)[:2000]}")
    return str(token)


def _problem(status: int, answer: dict[str, Any]) -> str:
    """Why an answer is not a good one ('' when it is)."""
    if status != 200 or answer.get("errors"):
        return f"HTTP {status}: {json.dumps(answer, ensure_ascii=False)[:500]}"
    payload = (answer.get("data") or {}).get("suggestTechnicians") or {}
    if payload.get("errors"):
        return json.dumps(payload["errors"], ensure_ascii=False)[:500]
    return ""


def measure(
    db: ThrowawayDatabase,
    engineers: int,
    jobs: int,
    sample: list[str],
    warmup: list[str],
    password: str,
    limit: int,
) -> Figures:
    from wellspring.api.app import create_app
    from wellspring.settings import Mode, Settings

    settings = Settings(
        database_url=db.url,
        mode=Mode.PRODUCTION,
        secret_key=secrets.token_urlsafe(32),
        log_json=True,
    )
    app = create_app(settings)
    # create_app logs every request at INFO; in process that would only clutter the console.
    logging.getLogger().setLevel(logging.WARNING)
    before = asyncio.run(technician_scans(db.url)) if db.kind == "postgresql" else {}

    def body(job_id: str) -> dict[str, Any]:
        variables = {"jobId": global_id("Job", job_id), "limit": limit}
        return {"query": SUGGEST_DOCUMENT, "variables": variables}

    latencies: list[float] = []
    suggestions: list[int] = []
    errors: list[str] = []
    statements: list[int] = []
    cell_queries: list[int] = []
    captured: list[tuple[str, Any]] = []
    reads: list[set[str]] = []
    with TestClient(app) as client:
        headers = {"authorization": f"Bearer {_login(client, password)}"}
        for job_id in warmup:
            client.post("/graphql", json=body(job_id), headers=headers)
        pids = asyncio.run(app_backends(db.url)) if db.kind == "postgresql" else []
        cpu, db_cpu = time.process_time(), backend_cpu(pids)
        for job_id in sample:
            began = time.perf_counter()
            response = client.post("/graphql", json=body(job_id), headers=headers)
            latencies.append((time.perf_counter() - began) * 1000)
            answer = response.json()
            problem = _problem(response.status_code, answer)
            if problem:
                errors.append(problem)
            else:
                found = answer["data"]["suggestTechnicians"]["suggestions"]
                suggestions.append(len(found))
        cpu, db_after = time.process_time() - cpu, backend_cpu(pids)
        load_average = os.getloadavg()[0]
        # None when a backend went away meanwhile: its CPU could not be counted.
        db_cpu = db_after - db_cpu if db_cpu is not None and db_after is not None else None

        # A second, untimed pass over the same jobs counts what each request does: statements
        # reaching the driver, cell lookups (one per ring searched) and the engineers they read.
        def record(_c: Any, _cur: Any, statement: str, params: Any, *_a: Any) -> None:
            statements[-1] += 1
            spent["sql_started"] = time.perf_counter()
            if "home_cell IN (" in statement or "home_cell = ANY (" in statement:
                cell_queries[-1] += 1
                captured.append((statement, params))

        def answered(*_a: Any) -> None:
            spent["sql"] += time.perf_counter() - spent["sql_started"]

        spent = {"sql": 0.0, "geo": 0.0, "total": 0.0, "sql_started": 0.0}

        def timed(fn: Any) -> Any:
            def wrapper(*a: Any, **k: Any) -> Any:
                began = time.perf_counter()
                try:
                    return fn(*a, **k)
                finally:
                    spent["geo"] += time.perf_counter() - began

            return wrapper

        names = [(suggest, n) for n in ("rough_km", "technician_position")]
        names += [(ranking, "km"), (ranking, "km_at_least")]
        names += [(cells, "disk"), (cells, "cell")]
        geodesy = {(module, name): getattr(module, name) for module, name in names}
        original = nearby._in_cells

        async def counting(session: Any, ring: list[str], params: Any) -> list[Any]:
            found = await original(session, ring, params)
            reads[-1].update(t.id for t in found)
            return found

        sync_engine = app.state.engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", record)
        event.listen(sync_engine, "after_cursor_execute", answered)
        nearby._in_cells = counting
        for (module, name), fn in geodesy.items():
            setattr(module, name, timed(fn))
        try:
            for job_id in sample:
                statements.append(0)
                cell_queries.append(0)
                reads.append(set())
                began = time.perf_counter()
                client.post("/graphql", json=body(job_id), headers=headers)
                spent["total"] += time.perf_counter() - began
        finally:
            nearby._in_cells = original
            for (module, name), fn in geodesy.items():
                setattr(module, name, fn)
            event.remove(sync_engine, "before_cursor_execute", record)
            event.remove(sync_engine, "after_cursor_execute", answered)

    requests = len(warmup) + 2 * len(sample)
    scans: dict[str, float] = {}
    if db.kind == "postgresql":
        # The app's connections are closed now; their counters reach the statistics shortly.
        time.sleep(1.5)
        after = asyncio.run(technician_scans(db.url))
        scans = {k: round((after[k] - before.get(k, 0)) / requests, 2) for k in after}
    plans: dict[str, list[str]] = {}
    if captured:
        first = min(captured, key=lambda c: len(c[1]))
        widest = max(captured, key=lambda c: len(c[1]))
        for name, (statement, params) in (("first_ring", first), ("widest_ring", widest)):
            plans[name] = asyncio.run(explain(db.url, db.kind, statement, params))
        if db.kind == "postgresql":
            plans["first_ring_generic"] = asyncio.run(explain(db.url, db.kind, *first, True))
    ordered = sorted(latencies)
    return Figures(
        engine=db.kind,
        engineers=engineers,
        jobs=jobs,
        samples=len(sample),
        median_ms=round(statistics.median(ordered), 2),
        p90_ms=round(percentile(ordered, 0.90), 2),
        p99_ms=round(percentile(ordered, 0.99), 2),
        max_ms=round(ordered[-1], 2),
        mean_suggestions=round(statistics.fmean(suggestions), 2) if suggestions else 0.0,
        errors=len(errors),
        statements_per_request=round(statistics.fmean(statements), 2),
        cell_queries_per_request=round(statistics.fmean(cell_queries), 2),
        engineers_read_per_request=round(statistics.fmean(len(r) for r in reads), 1),
        app_cpu_ms=round(cpu * 1000 / len(sample), 2),
        load_average=round(load_average, 2),
        db_cpu_ms=round(db_cpu * 1000 / len(sample), 2) if db_cpu is not None else None,
        index_scans_per_request=scans,
        plans=plans,
        first_error=errors[0] if errors else "",
        sql_ms=round(spent["sql"] * 1000 / len(sample), 2),
        geo_ms=round(spent["geo"] * 1000 / len(sample), 2),
        rest_ms=round((spent["total"] - spent["sql"] - spent["geo"]) * 1000 / len(sample), 2),
        work=tuple(zip(cell_queries, (len(r) for r in reads), strict=True)),
    )


# -- one engine --------------------------------------------------------------------------


def run_engine(kind: str, args: argparse.Namespace) -> tuple[list[Figures], dict[str, Any]]:
    rng = random.Random(args.seed)
    db = ThrowawayDatabase(kind, args.admin_url, "dispatch")
    log(f"{kind}: fresh database {db.name}")
    world = World()
    figures: list[Figures] = []
    try:
        db.create()
        password = secrets.token_urlsafe(18)
        world.hq_user_id = asyncio.run(create_hq_login(db.url, password))
        asyncio.run(load_branches(db.url, world))
        started = time.perf_counter()
        for step, target in enumerate(args.engineers):
            added = target - world.engineer_count
            seconds = asyncio.run(add_engineers(db.url, world, added, rng))
            tally(world, f"engineers_to_{target}", added, seconds)
            log(f"{kind}: {world.engineer_count:,} engineers ({seconds:.1f} s)")
            if step == 0:
                # History once, assigned to the first engineers; later steps only add engineers.
                log(f"{kind}: loading {args.jobs:,} jobs ...")
                asyncio.run(load_history(db.url, world, args.jobs, rng))
                world.load_seconds["initial_load"] = time.perf_counter() - started
                picked = rng.sample(
                    world.open_job_ids, min(len(world.open_job_ids), args.samples + WARMUP)
                )
                warmup, sample = picked[:WARMUP], picked[WARMUP:]
            asyncio.run(refresh_positions(db.url))
            if kind == "postgresql":
                world.load_seconds[f"vacuum_analyze_{target}"] = asyncio.run(analyze(db.url))
            log(f"{kind}: measuring {len(sample)} requests at {target:,} engineers ...")
            f = measure(db, target, args.jobs, sample, warmup, password, args.limit)
            log(f"{kind}: in process median {f.median_ms} ms, p99 {f.p99_ms} ms, errors {f.errors}")
            f.http = over_http(db.url, kind, SUGGEST_DOCUMENT, sample, warmup, password, args.limit)
            log(f"{kind}: over HTTP median {f.http.median_ms} ms, p99 {f.http.p99_ms} ms")
            figures.append(f)
        if args.profile:
            print(
                profile(
                    db.url, sample, _token_of(password), SUGGEST_DOCUMENT, args.limit, args.profile
                )
            )
    finally:
        db.drop()
    load = {
        "engine": kind,
        "rows": world.rows,
        "seconds": {k: round(v, 1) for k, v in world.load_seconds.items()},
        "open_jobs": len(world.open_job_ids),
    }
    return figures, load


# -- reporting ---------------------------------------------------------------------------


def _counts(value: str) -> list[int]:
    counts = sorted({int(x) for x in value.split(",") if x.strip()})
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError("engineer counts must be positive integers")
    return counts


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dispatch",
        description="SuggestTechnicians latency at growing engineer counts (GraphQL).",
    )
    parser.add_argument("--engines", default="postgresql,sqlite", help="postgresql and/or sqlite")
    parser.add_argument("--jobs", type=int, default=1_000_000, help="jobs loaded (about 5%% open)")
    parser.add_argument(
        "--engineers", type=_counts, default=[1_000, 10_000], help="engineer counts, added in turn"
    )
    parser.add_argument("--samples", type=int, default=300, help="timed requests per step")
    parser.add_argument("--limit", type=int, default=10, help="suggestions asked for (1-50)")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--admin-url", default=ADMIN_URL, help="PostgreSQL admin database")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="after the last step, print the N functions with most own time (cProfile)",
    )
    return parser


def _json(f: Figures) -> dict[str, Any]:
    """A step's figures, the tail summarised rather than every request's times."""
    out = asdict(f)
    del out["work"]
    if out["http"]:
        del out["http"]["per_job"]
        t = tail(f.http.per_job, list(f.work)) if f.http else None
        out["http"]["tail"] = asdict(t) if t else None
    return out


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not engines or not set(engines) <= {"postgresql", "sqlite"}:
        raise SystemExit("--engines takes postgresql and/or sqlite")
    if args.jobs < 1_000 or args.samples < 1 or not 1 <= args.limit <= 50:
        raise SystemExit("--jobs must be >= 1000, --samples >= 1, --limit 1 to 50")
    figures: list[Figures] = []
    loads: list[dict[str, Any]] = []
    for kind in engines:
        own, load = run_engine(kind, args)
        figures += own
        loads.append(load)
    if args.json:
        for f in figures:
            print(json.dumps({"benchmark": "dispatch"} | _json(f), ensure_ascii=False))
        for engine in engines:
            own = [f for f in figures if f.engine == engine]
            if len(own) > 1:
                print(json.dumps({"benchmark": "dispatch", "growth": growth(own)}))
        for load in loads:
            print(json.dumps({"benchmark": "dispatch", "load": load}))
    else:
        print(
            f"SuggestTechnicians (limit {args.limit}), {args.jobs:,} jobs, "
            f"{args.samples} requests per step after {WARMUP} warm-up, in process and over HTTP"
        )
        print_table(figures, loads)
    return 1 if any(f.errors or (f.http and f.http.errors) for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
