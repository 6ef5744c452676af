"""CPU and statements per request of a branch's day, one request at a time, in process.

``bench/day`` finds how many engineers a web process serves; this bench says what each kind
of request costs, so that a change to one of them can be weighed in a minute rather than in
a quarter of an hour. A fresh database gets demo data at ``--scale`` customers; ten of its
engineers with open jobs and one of their branch's clerks sign in, and the real app (in
production mode, behind Starlette's ``TestClient``: no socket) answers, one after the other,
``--cycles`` engineer cycles as ``bench/day_load.py`` sends them (a pull since the last
cursor, a push of one note, ``UpdateLocation``), and every seventh cycle the engineer's
``MyJobs`` and the dispatcher's ``Jobs`` and ``Technicians``. Run from the repository root:

    python -m bench.requests [--engine postgresql|sqlite] [--scale 2000] [--cycles 300]

For each kind it prints the process CPU per request (``time.process_time``: the app and the
in-process client together, so it is an upper bound of the server's share) and the
statements per request, counted at the driver (``--statements`` prints those of the last
request of each kind). One run, no target: the figures to compare are those of two commits
measured on the same machine. See bench/README.md, "requests".
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import secrets
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from starlette.testclient import TestClient

from .database import ROOT, ThrowawayDatabase
from .day import _cast
from .sync import ADMIN_URL
from .sync_world import analyze, load_demo

KINDS = ("sync pull", "sync push", "UpdateLocation", "MyJobs", "Jobs", "Technicians")
DOCUMENTS = {
    "Login": "everyone",
    "UpdateLocation": "engineer",
    "MyJobs": "engineer",
    "Jobs": "dispatcher",
    "Technicians": "dispatcher",
}
ENGINEERS = 10
DISPATCHER_EVERY = 7  # cycles between two rounds of the dispatcher's lists


class Driver:
    """The in-process client, with the statements of the request being timed."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.documents = {
            name: (ROOT / "clients" / role / f"{name}.graphql").read_text("utf-8")
            for name, role in DOCUMENTS.items()
        }
        self.seen = 0
        self.said: list[str] = []  # the statements of the request being timed
        self.last: dict[str, list[str]] = {}  # of the last request of each kind
        engine = client.app.state.engine.sync_engine  # type: ignore[attr-defined]
        event.listen(engine, "before_cursor_execute", self._count)
        self.cpu: dict[str, float] = dict.fromkeys(KINDS, 0.0)
        self.statements: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self.seen += 1
        self.said.append(statement)

    def graphql(self, name: str, variables: dict[str, Any], token: str | None = None) -> Any:
        headers = {"Accept-Language": "zh-CN"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = {"query": self.documents[name], "variables": variables}
        answer = self.client.post("/graphql", json=body, headers=headers).json()
        if answer.get("errors"):
            raise SystemExit(f"{name} failed: {answer['errors']}")
        return answer["data"]

    def timed(self, kind: str, request: Callable[[], None]) -> None:
        self.seen, self.said = 0, []
        started = time.process_time()
        request()
        self.cpu[kind] += time.process_time() - started
        self.last[kind] = self.said
        self.statements[kind] += self.seen
        self.requests[kind] += 1


class Engineer:
    def __init__(self, driver: Driver, who: dict[str, Any], password: str) -> None:
        self.driver = driver
        self.jobs: list[str] = who["jobs"]
        self.position = (float(who["latitude"]), float(who["longitude"]))
        login = {"username": who["username"], "password": password}
        self.token = driver.graphql("Login", login)["login"]["token"]
        self.headers = {
            "Authorization": f"Bearer {self.token}",
            "X-Sync-Client": f"bench-requests-{uuid.uuid4().hex[:12]}",
        }
        self.cursor: int | None = None
        self.pull()  # the first pull, not timed

    def pull(self) -> None:
        body = {"lastPulledAt": self.cursor, "schemaVersion": 2, "migration": None}
        response = self.driver.client.post("/sync/pull", json=body, headers=self.headers)
        if response.status_code != 200:
            raise SystemExit(f"pull failed: {response.status_code} {response.text[:300]}")
        self.cursor = int(response.json()["timestamp"])

    def push(self) -> None:
        note = {
            "id": str(uuid.uuid4()),
            "job_id": random.choice(self.jobs),
            "body": "已与客户确认上门时间",
            "recorded_at": int(time.time() * 1000) - 30_000,
        }
        body = {
            "changes": {"job_notes": {"created": [note], "updated": [], "deleted": []}},
            "lastPulledAt": self.cursor,
        }
        response = self.driver.client.post("/sync/push", json=body, headers=self.headers)
        if response.status_code != 200 or response.json().get("rejected"):
            raise SystemExit(f"push failed: {response.status_code} {response.text[:300]}")

    def update_location(self) -> None:
        lat, lon = self.position
        self.position = (lat + random.uniform(-5e-4, 5e-4), lon + random.uniform(-5e-4, 5e-4))
        variables = {"latitude": self.position[0], "longitude": self.position[1], "accuracy": 12.0}
        self.driver.graphql("UpdateLocation", variables, self.token)

    def my_jobs(self) -> None:
        self.driver.graphql("MyJobs", {}, self.token)


def run(engine_kind: str, admin_url: str, scale: int, cycles: int) -> Driver:
    from wellspring.api.app import create_app
    from wellspring.settings import Mode, Settings

    db = ThrowawayDatabase(engine_kind, admin_url, "requests")
    db.create()
    try:
        asyncio.run(load_demo(db.url, scale))
        if engine_kind == "postgresql":
            asyncio.run(analyze(db.url))
        cast = asyncio.run(_cast(db.url, ENGINEERS))
        settings = Settings(
            database_url=db.url,
            mode=Mode.PRODUCTION,
            secret_key=secrets.token_urlsafe(32),
            log_json=True,
            access_token_minutes=24 * 60,
        )
        app = create_app(settings)
        logging.getLogger().setLevel(logging.WARNING)  # no line per request on the console
        with TestClient(app) as client:
            driver = Driver(client)
            engineers = [Engineer(driver, who, cast.password) for who in cast.engineers]
            clerk = cast.dispatchers[0]
            login = {"username": clerk["username"], "password": cast.password}
            token = driver.graphql("Login", login)["login"]["token"]
            lists = {"branchId": clerk["branch_id"], "first": 50}
            for n in range(cycles):
                who = engineers[n % len(engineers)]
                driver.timed("sync pull", who.pull)
                driver.timed("sync push", who.push)
                driver.timed("UpdateLocation", who.update_location)
                if n % DISPATCHER_EVERY == 0:
                    driver.timed("MyJobs", who.my_jobs)
                    driver.timed("Jobs", lambda: driver.graphql("Jobs", {"first": 50}, token))
                    driver.timed("Technicians", lambda: driver.graphql("Technicians", lists, token))
        return driver
    finally:
        db.drop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--scale", type=int, default=2_000, help="demo customers")
    parser.add_argument("--cycles", type=int, default=300, help="engineer cycles timed")
    parser.add_argument("--admin-url", default=ADMIN_URL, help="PostgreSQL admin database")
    parser.add_argument(
        "--statements", action="store_true", help="print the last request's statements of each kind"
    )
    args = parser.parse_args(argv)
    driver = run(args.engine, args.admin_url, args.scale, args.cycles)
    print(f"{args.engine}, demo scale {args.scale}, {args.cycles} engineer cycles, in process")
    print(f"{'request':<16}{'count':>7}{'CPU ms':>9}{'statements':>12}")
    for kind in KINDS:
        n = driver.requests[kind]
        if n:
            cpu = 1000 * driver.cpu[kind] / n
            print(f"{kind:<16}{n:>7}{cpu:>9.2f}{driver.statements[kind] / n:>12.1f}")
    if args.statements:
        for kind in KINDS:
            print(f"\n{kind}, the last request's statements:")
            for statement in driver.last.get(kind, []):
                print("    " + " ".join(statement.split())[:150])
    return 0


if __name__ == "__main__":
    sys.exit(main())
