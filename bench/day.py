"""A branch's day under load, on one and on several web processes (issue 19, point 4).

    python -m bench.day [--processes 1,2] [--steps 500,1000,...] [--seconds S] [--scale N]

Serves a PostgreSQL database (demo data at ``--scale`` customers, made once and kept) with
``wellspring serve --workers P`` in production mode, and drives it with ``bench/day_load.py``
(locust in library mode, its own process): engineers syncing every ``--cycle`` seconds with a
small push and a position update, one dispatcher per 20 engineers listing and rescheduling,
customers opening tracking pages. Each step raises the number of engineers; the figure is the
largest number served with the push and page p95 ≤ 500 ms and no error, per web process, and
"engineers per core": that number over the CPU the server and the database used (psutil, over
the server's process tree and the database's backends). The load driver shares the machine's
two cores, which caps what one machine can show: the driver's own CPU is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import datetime as dt
import http.client
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench.database import BENCH_VAR, ROOT, ensure_database
from bench.servers import free_port, healthy
from wellspring.domain.auth import hash_password
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models import Branch, Job, Technician, User
from wellspring.domain.models.enums import JobStatus, Role

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/wellspring_bench_day"
CLIENTS = ROOT / "clients"
DOCUMENTS = {
    "Login": CLIENTS / "everyone" / "Login.graphql",
    "UpdateLocation": CLIENTS / "engineer" / "UpdateLocation.graphql",
    "Jobs": CLIENTS / "dispatcher" / "Jobs.graphql",
    "Technicians": CLIENTS / "dispatcher" / "Technicians.graphql",
    "AssignJob": CLIENTS / "dispatcher" / "AssignJob.graphql",
}
_SHARE = sorted(CLIENTS.glob("*/ShareTrackingLink.graphql"))
if _SHARE:
    DOCUMENTS["ShareTrackingLink"] = _SHARE[0]
P95_LIMIT_MS = 500.0
TARGET_PER_PROCESS = 5_000
_OPEN = (JobStatus.ASSIGNED, JobStatus.ACCEPTED, JobStatus.EN_ROUTE, JobStatus.ON_SITE)


def _gid(type_name: str, id_: str) -> str:
    """A Relay global id (the API's ids; the sync protocol uses the bare ones)."""
    return base64.b64encode(f"{type_name}:{id_}".encode()).decode()


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass
class Cast:
    """Who takes part: engineers with open jobs, their branches' clerks, jobs to reschedule."""

    password: str
    engineers: list[dict[str, Any]]
    dispatchers: list[dict[str, Any]]


async def _cast(url: str, engineers: int) -> Cast:
    password = secrets.token_urlsafe(18)
    hashed = hash_password(password)
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            rows = (
                await session.execute(
                    select(Technician.id, Technician.branch_id, User.username, Job.id)
                    .join(User, User.id == Technician.user_id)
                    .join(Job, Job.technician_id == Technician.id)
                    .where(Technician.is_active, Job.status.in_(_OPEN))
                    .order_by(Technician.id, Job.id)
                )
            ).all()
            by_tech: dict[str, dict[str, Any]] = {}
            for tech_id, branch_id, username, job_id in rows:
                entry = by_tech.setdefault(
                    tech_id,
                    {"id": tech_id, "branch_id": branch_id, "username": username, "jobs": []},
                )
                entry["jobs"].append(job_id)
            chosen = list(by_tech.values())[:engineers]
            if not chosen:
                raise SystemExit("no engineer has an open job: load demo data first")
            branches = {e["branch_id"] for e in chosen}
            clerks = (
                await session.execute(
                    select(User.username, User.branch_id)
                    .join(Branch, Branch.id == User.branch_id)
                    .where(User.role == Role.CLERK, User.is_active, User.branch_id.in_(branches))
                )
            ).all()
            assigned = (
                await session.execute(
                    select(Job.id, Job.technician_id, Job.branch_id).where(
                        Job.status == JobStatus.ASSIGNED,
                        Job.technician_id.is_not(None),
                        Job.branch_id.in_(branches),
                    )
                )
            ).all()
            names = [e["username"] for e in chosen] + [c.username for c in clerks]
            for user in await session.scalars(select(User).where(User.username.in_(names))):
                user.password_hash = hashed  # a fresh random password, never "demo"
                user.is_demo = False  # production mode refuses demo accounts
            homes = {
                tech_id: (lat, lon)
                for tech_id, lat, lon in await session.execute(
                    select(
                        Technician.id, Technician.home_latitude, Technician.home_longitude
                    ).where(Technician.id.in_([e["id"] for e in chosen]))
                )
            }
    finally:
        await engine.dispose()
    for e in chosen:
        lat, lon = homes.get(e["id"]) or (None, None)
        e["latitude"], e["longitude"] = lat or 31.23, lon or 121.47
    dispatchers = [
        {
            "username": c.username,
            "branch_id": _gid("Branch", c.branch_id),
            "jobs": [
                {"id": _gid("Job", j.id), "technician_id": _gid("Technician", j.technician_id)}
                for j in assigned
                if j.branch_id == c.branch_id
            ][:50],
        }
        for c in clerks
    ]
    return Cast(password, chosen, dispatchers)


class Server:
    def __init__(self, port: int, process: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.process = process

    def post(self, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("POST", "/graphql", body=json.dumps(body).encode(), headers=headers)
            response = conn.getresponse()
            answer: dict[str, Any] = json.loads(response.read())
        finally:
            conn.close()
        return answer

    def login(self, username: str, password: str) -> str:
        document = DOCUMENTS["Login"].read_text("utf-8")
        variables = {"username": username, "password": password}
        answer = self.post({"query": document, "variables": variables})
        token = ((answer.get("data") or {}).get("login") or {}).get("token")
        if not token:
            raise SystemExit(f"login as {username} failed: {json.dumps(answer)[:500]}")
        return str(token)


@contextlib.contextmanager
def serve(url: str, workers: int, redis_url: str) -> Iterator[Server]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELLSPRING_")}
    env |= {
        "WELLSPRING_DATABASE_URL": url,
        "WELLSPRING_MODE": "production",
        "WELLSPRING_SECRET_KEY": secrets.token_urlsafe(32),
        "WELLSPRING_LOG_JSON": "true",
        "WELLSPRING_ACCESS_TOKEN_MINUTES": "240",
        "WELLSPRING_PUBLIC_URL": f"http://127.0.0.1:{port}",
        # Every customer of the bench comes from 127.0.0.1: the per-address limit would stop
        # the load driver, not a person (per token it still holds).
        "WELLSPRING_TRACKING_PER_ADDRESS_PER_MINUTE": "1000000",
    }
    if redis_url:
        env["WELLSPRING_REDIS_URL"] = redis_url
    log_path = BENCH_VAR / f"day-server-{workers}.log"
    command = [sys.executable, "-m", "wellspring.api.cli", "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 180  # a loaded machine imports slowly
        while not healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not come up; see {log_path}")
            time.sleep(0.2)
        time.sleep(1.0 * workers)  # every worker up, not only the first to answer
        yield Server(port, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def _tracking_links(server: Server, cast: Cast, tokens: dict[str, str]) -> list[str]:
    """Tracking links for some of the engineers' visits, when the server has them."""
    path = DOCUMENTS.get("ShareTrackingLink")
    if path is None or not cast.dispatchers:
        _log("NOTICE: no ShareTrackingLink document: customers' tracking pages left out")
        return []
    links: list[str] = []
    for dispatcher in cast.dispatchers:
        token = tokens[dispatcher["username"]]
        for job in dispatcher["jobs"][:10]:
            query = "query($id: ID!) { node(id: $id) { ... on Job { ticket { id } } } }"
            found = server.post({"query": query, "variables": {"id": job["id"]}}, token)
            node = (found.get("data") or {}).get("node") or {}
            ticket = (node.get("ticket") or {}).get("id")
            if not ticket:
                continue
            variables = {"input": {"ticketId": ticket}}
            answer = server.post({"query": path.read_text("utf-8"), "variables": variables}, token)
            url = ((answer.get("data") or {}).get("shareTrackingLink") or {}).get("url")
            if url:  # the path under the app: the driver talks to this server directly
                links.append("/" + url.split("://", 1)[-1].split("/", 1)[-1])
    if not links:
        _log("NOTICE: no tracking link could be made: customers' tracking pages left out")
    return links


def run_processes(args: argparse.Namespace, cast: Cast, workers: int) -> list[dict[str, Any]]:
    with serve(args.database_url, workers, args.redis_url) as server:
        _log(f"-- {workers} web process(es) on port {server.port}: signing in ...")
        tokens = {
            person["username"]: server.login(person["username"], cast.password)
            for person in [*cast.engineers, *cast.dispatchers]
        }
        links = _tracking_links(server, cast, tokens)
        tomorrow = (dt.datetime.now(ZoneInfo("Asia/Shanghai")) + dt.timedelta(days=1)).date()
        state = {
            "cycle": args.cycle,
            "dispatcher_cycle": args.dispatcher_cycle,
            "engineer_users": min(args.engineer_users, len(cast.engineers)),
            "dispatcher_users": min(args.dispatcher_users, max(1, len(cast.dispatchers))),
            "engineer_pool": [e | {"token": tokens[e["username"]]} for e in cast.engineers],
            "dispatcher_pool": [d | {"token": tokens[d["username"]]} for d in cast.dispatchers],
            "documents": {n: p.read_text("utf-8") for n, p in DOCUMENTS.items() if p.exists()},
            "appointment_day": tomorrow.isoformat(),
            "tracking": links,
            "tracking_per_cycle": args.tracking_per_cycle,
            "tracking_polls": 3,
        }
        job = {
            "base_url": f"http://127.0.0.1:{server.port}",
            "server_pid": server.process.pid,
            "database": make_url(args.database_url).database,
            "steps": args.steps,
            "seconds": args.seconds,
            "warmup": args.warmup,
            "settle": args.settle,
            "p95_limit_ms": P95_LIMIT_MS,
            "state": state,
        }
        driver = subprocess.Popen(
            [sys.executable, "-m", "bench.day_load"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if driver.stdin is None or driver.stdout is None:
            raise SystemExit("the load driver has no pipes")
        driver.stdin.write(json.dumps(job))
        driver.stdin.close()
        results = []
        for line in driver.stdout:
            result = json.loads(line) | {"processes": workers}
            results.append(result)
            _log(_line(result))
        driver.wait()
        return results


def _line(r: dict[str, Any]) -> str:
    req = r["requests"]
    cores = r["cpu_cores"]

    def p95(name: str) -> str:
        return f"{req[name]['p95_ms']:>5.0f}" if name in req else "    -"

    rps = sum(v["rps"] for v in req.values())
    return (
        f"P={r['processes']} engineers {r['engineers']:>6}: {rps:6.1f} req/s, p95 push "
        f"{p95('sync push')} pull {p95('sync pull')} Jobs {p95('Jobs')} Technicians "
        f"{p95('Technicians')} track {p95('tracking page')} ms; cores server "
        f"{cores['server']:.2f} db {cores['database']:.2f} driver {cores['driver']:.2f}; "
        f"errors {sum(r['errors'].values())} {'ok' if r['passed'] else 'OVER'}"
    )


def summary(results: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Per process count: the largest passing step and its engineers per core."""
    best: dict[int, dict[str, Any]] = {}
    for r in results:
        if not r["passed"]:
            continue
        used = r["cpu_cores"]["server"] + r["cpu_cores"]["database"]
        figure = {
            "engineers": r["engineers"],
            "engineers_per_core": round(r["engineers"] / used) if used else None,
            "cores_used": round(used, 2),
        }
        if r["engineers"] > best.get(r["processes"], {}).get("engineers", 0):
            best[r["processes"]] = figure
    return best


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--scale", type=int, default=20_000, help="demo customers, made once")
    parser.add_argument("--processes", default="1,2", help="web process counts to compare")
    parser.add_argument("--steps", default="500,1000,2000,3000,4000,5000,6000,8000,10000")
    parser.add_argument("--seconds", type=float, default=30.0, help="timed seconds per step")
    parser.add_argument("--warmup", type=float, default=5.0, help="untimed seconds per step")
    parser.add_argument("--settle", type=float, default=15.0, help="seconds before step 1")
    parser.add_argument("--cycle", type=float, default=180.0, help="an engineer's sync period")
    parser.add_argument("--dispatcher-cycle", type=float, default=60.0)
    parser.add_argument("--engineer-users", type=int, default=120, help="engineer logins used")
    parser.add_argument("--dispatcher-users", type=int, default=8)
    parser.add_argument("--tracking-per-cycle", type=float, default=0.075)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", action="store_true", help="print every step as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.steps = [int(s) for s in args.steps.split(",")]
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    if make_url(args.database_url).get_backend_name() != "postgresql":
        raise SystemExit("bench.day measures PostgreSQL (several processes share it)")
    ensure_database(args.database_url, args.scale)
    cast = asyncio.run(_cast(args.database_url, args.engineer_users))
    _log(f"{len(cast.engineers)} engineers, {len(cast.dispatchers)} dispatchers take part")
    results: list[dict[str, Any]] = []
    for workers in (int(p) for p in args.processes.split(",")):
        results += run_processes(args, cast, workers)
    best = summary(results)
    if args.json:
        for r in results:
            print(json.dumps(r, ensure_ascii=False))
    print(f"\ntarget: ≥ {TARGET_PER_PROCESS} engineers per web process at p95 ≤ 500 ms, 0 errors;")
    print("        with 2 processes, engineers per core within 20 % of one process's figure")
    for workers, figure in sorted(best.items()):
        print(
            f"{workers} web process(es): {figure['engineers']} engineers served "
            f"({figure['engineers'] / workers:.0f} per process), "
            f"{figure['engineers_per_core']} engineers per core "
            f"(server + database {figure['cores_used']} cores)"
        )
    if 1 in best and 2 in best and best[1]["engineers_per_core"]:
        ratio = (best[2]["engineers_per_core"] or 0) / best[1]["engineers_per_core"]
        print(f"engineers per core, 2 processes / 1 process: {ratio:.2f} (target ≥ 0.80)")
    Path(BENCH_VAR / "day-results.json").write_text(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
