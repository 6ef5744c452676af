"""The load of a branch's day, driven by locust in library mode: ``python -m bench.day_load``.

Run by ``bench/day.py`` as its own process (locust patches the standard library with gevent
when it is imported, which the orchestrator's asyncio code must not see). Reads one JSON job on
stdin and prints one JSON line per step on stdout.

A fixed set of locust users carries a variable number of engineers: each user is one real
engineer login with its own jobs, and its pace is stretched so that ``users`` logins make the
requests of ``engineers`` engineers (a user's cycle takes ``cycle × users / engineers``
seconds). What the server does per request does not depend on which login sends it, only on
the rate, so the figure holds for that many distinct phones.

One cycle of an engineer: a pull since its last cursor, a push of one note on one of its open
jobs, and a position update (``UpdateLocation``). One dispatcher per 20 engineers lists the
branch's jobs and engineers and reschedules a job. Customers open tracking pages when the job
carries tracking links (``tracking``), polling their state while the page is open.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import time
import uuid
from typing import Any

import gevent
import psutil
from locust import FastHttpUser, task
from locust.env import Environment
from locust.stats import StatsEntry

STATE: dict[str, Any] = {}
NAMES = (
    "sync pull",
    "sync push",
    "UpdateLocation",
    "Jobs",
    "Technicians",
    "AssignJob",
    "tracking page",
    "tracking state",
)
# Requests whose 95th percentile is held to the target (the "push and page p95").
HELD = ("sync push", "Jobs", "Technicians", "tracking page")


def _pace(kind: str) -> float:
    """Seconds between two cycles of one locust user of ``kind`` at the current step."""
    engineers = max(1, int(STATE["engineers"]))
    users = max(1, int(STATE[f"{kind}_users"]))
    if kind == "engineer":
        return float(STATE["cycle"]) * users / engineers
    dispatchers = max(1.0, engineers / 20)
    return float(STATE["dispatcher_cycle"]) * users / dispatchers


class _Paced(FastHttpUser):
    abstract = True
    kind = ""

    def wait_time(self) -> float:
        # Short naps: a step's new pace takes effect within a second, not after a long sleep.
        return min(1.0, max(0.0, self._due() - time.monotonic()))

    def _due(self) -> float:
        return self._cycle_began + _pace(self.kind)

    def _start_cycle(self) -> bool:
        """Whether a cycle is due now (and if so, it starts)."""
        now, pace = time.monotonic(), _pace(self.kind)
        if now < self._due():
            return False
        if now - self._due() > pace / 2:
            # A step just shortened the pace and left most users overdue at once: spread them
            # over one pace again instead of sending them all in the same second.
            self._cycle_began = now - random.uniform(0, pace)
            return False
        self._cycle_began = now
        return True

    def on_start(self) -> None:
        # Spread the first cycles over one pace.
        self._cycle_began = time.monotonic() - random.uniform(0, _pace(self.kind))

    def _graphql(self, name: str, token: str, query: str, variables: dict[str, Any]) -> Any:
        body = {"query": query, "variables": variables}
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"}
        with self.client.post(
            "/graphql", json=body, headers=headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            answer = response.json()
            if answer.get("errors"):
                response.failure(json.dumps(answer["errors"], ensure_ascii=False)[:300])
                return None
            return answer.get("data")


_ENGINEERS = itertools.count()
_DISPATCHERS = itertools.count()


class Engineer(_Paced):
    kind = "engineer"

    def on_start(self) -> None:
        pool = STATE["engineer_pool"]
        me = pool[next(_ENGINEERS) % len(pool)]
        self.token: str = me["token"]
        self.jobs: list[str] = me["jobs"]
        self.position = (float(me["latitude"]), float(me["longitude"]))
        self.install = f"bench-day-{uuid.uuid4().hex[:12]}"
        self.cursor: int | None = None
        self._pull("first pull")
        super().on_start()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Sync-Client": self.install}

    def _pull(self, name: str) -> None:
        body = {"lastPulledAt": self.cursor, "schemaVersion": 2, "migration": None}
        with self.client.post(
            "/sync/pull", json=body, headers=self._headers(), name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            self.cursor = int(response.json()["timestamp"])

    def _push(self) -> None:
        now_ms = int(time.time() * 1000)
        note = {
            "id": str(uuid.uuid4()),
            "job_id": random.choice(self.jobs),
            "body": "已与客户确认上门时间",
            "recorded_at": now_ms - 30_000,
        }
        body = {
            "changes": {"job_notes": {"created": [note], "updated": [], "deleted": []}},
            "lastPulledAt": self.cursor,
        }
        with self.client.post(
            "/sync/push", json=body, headers=self._headers(), name="sync push", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return
            answer = response.json()
            if answer.get("rejected") or answer.get("experimentalRejectedIds"):
                response.failure(json.dumps(answer, ensure_ascii=False)[:300])

    @task
    def cycle(self) -> None:
        if not self._start_cycle():
            return
        self._pull("sync pull")
        self._push()
        lat, lon = self.position
        self.position = (lat + random.uniform(-5e-4, 5e-4), lon + random.uniform(-5e-4, 5e-4))
        self._graphql(
            "UpdateLocation",
            self.token,
            STATE["documents"]["UpdateLocation"],
            {"latitude": self.position[0], "longitude": self.position[1], "accuracy": 12.0},
        )
        if STATE["tracking"] and random.random() < float(STATE["tracking_per_cycle"]):
            self._track(random.choice(STATE["tracking"]))

    def _track(self, link: str) -> None:
        """A customer opens the tracking page and polls its state a few times."""
        with self.client.get(link, name="tracking page", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
        for _ in range(int(STATE["tracking_polls"])):
            with self.client.get(
                link + "/state", name="tracking state", catch_response=True
            ) as response:
                if response.status_code not in (200, 304):
                    response.failure(f"HTTP {response.status_code}")


class Dispatcher(_Paced):
    kind = "dispatcher"

    def on_start(self) -> None:
        pool = STATE["dispatcher_pool"]
        me = pool[next(_DISPATCHERS) % len(pool)]
        self.token: str = me["token"]
        self.branch: str = me["branch_id"]
        self.jobs: list[dict[str, str]] = me["jobs"]
        super().on_start()

    @task
    def cycle(self) -> None:
        if not self._start_cycle():
            return
        documents = STATE["documents"]
        self._graphql(
            "Jobs",
            self.token,
            documents["Jobs"],
            {"filter": {"branchId": self.branch}, "first": 20},
        )
        self._graphql(
            "Technicians", self.token, documents["Technicians"], {"branchId": self.branch}
        )
        if self.jobs:
            job = random.choice(self.jobs)
            start = STATE["appointment_day"] + f"T{random.randint(9, 15):02d}:00:00+08:00"
            end = start.replace(":00:00+", ":45:00+")
            self._graphql(
                "AssignJob",
                self.token,
                documents["AssignJob"],
                {
                    "jobId": job["id"],
                    "technicianId": job["technician_id"],
                    "appointmentStart": start,
                    "appointmentEnd": end,
                    "allowOutsideShift": True,
                },
            )


Cpu = dict[str, dict[int, float]]  # group -> process id -> CPU seconds so far


def _cpu_seconds(processes: list[psutil.Process]) -> dict[int, float]:
    seconds: dict[int, float] = {}
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        seconds[process.pid] = times.user + times.system
    return seconds


def _server_processes(root_pid: int) -> list[psutil.Process]:
    root = psutil.Process(root_pid)
    return [root, *root.children(recursive=True)]


def _database_processes(database: str) -> list[psutil.Process]:
    """The PostgreSQL backends serving ``database`` (their process title names it)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info.get("cmdline") or [])
        if cmdline.startswith("postgres:") and f" {database} " in f"{cmdline} ":
            found.append(process)
    return found


def _postmaster() -> psutil.Process | None:
    """PostgreSQL's first process (its backends are its children; their titles say
    ``postgres: …``, its own command line is the server binary's)."""
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if process.info.get("name") == "postgres" and cmdline and cmdline[0].endswith("postgres"):
            return process
    return None


def _database_cpu(database: str) -> dict[int, float]:
    """The live backends of ``database``, and under the key ``-pid`` of the postmaster the
    CPU of its children that have ended: a backend that ends during a step (a pool's
    overflow connection closed when it comes back, say) is counted through it."""
    seconds = _cpu_seconds(_database_processes(database))
    postmaster = _postmaster()
    if postmaster is not None:
        try:
            times = postmaster.cpu_times()
        except psutil.Error:
            return seconds
        seconds[-postmaster.pid] = times.children_user + times.children_system
    return seconds


def _cpu(job: dict[str, Any]) -> Cpu:
    return {
        "server": _cpu_seconds(_server_processes(int(job["server_pid"]))),
        "database": _database_cpu(str(job["database"])),
        "driver": _cpu_seconds([psutil.Process()]),
    }


def _used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two samples, per process: one that started in between counts
    whole. One that ended in between is counted where its parent's ended children are (a
    negative key, the database's only): its whole CPU arrives there, so what it had at the
    first sample is taken off. Without such a key it is lost (the server's processes last)."""
    used = sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
    if any(pid < 0 for pid in after):
        used -= sum(seconds for pid, seconds in before.items() if pid > 0 and pid not in after)
    return used


def _entry(stats: Any, name: str) -> StatsEntry | None:
    for method in ("POST", "GET"):
        entry = stats.entries.get((name, method))
        if entry is not None and entry.num_requests:
            return entry
    return None


def _step(env: Environment, job: dict[str, Any], engineers: int) -> dict[str, Any]:
    STATE["engineers"] = engineers
    gevent.sleep(float(job["warmup"]))
    env.stats.reset_all()
    before, began = _cpu(job), time.monotonic()
    gevent.sleep(float(job["seconds"]))
    after, elapsed = _cpu(job), time.monotonic() - began
    requests: dict[str, Any] = {}
    for name in NAMES:
        entry = _entry(env.stats, name)
        if entry is None:
            continue
        requests[name] = {
            "count": entry.num_requests,
            "failures": entry.num_failures,
            "rps": round(entry.num_requests / elapsed, 2),
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
        }
    errors = {
        f"{e.method} {e.name}: {e.error}"[:300]: e.occurrences for e in env.stats.errors.values()
    }
    return {
        "engineers": engineers,
        "seconds": round(elapsed, 2),
        "requests": requests,
        "errors": errors,
        "cpu_cores": {
            group: round(_used(before[group], after[group]) / elapsed, 3) for group in before
        },
    }


def _await_first_pulls(env: Environment, engineers: int, timeout: float) -> None:
    """Wait (bounded) until every engineer's first pull is answered: those arrive all at once,
    and on a slow machine they would still be queued when the first step is timed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        entry = _entry(env.stats, "first pull")
        if entry is not None and entry.num_requests >= engineers:
            return
        gevent.sleep(0.5)


def main() -> int:
    job = json.load(sys.stdin)
    STATE.update(job["state"])
    STATE["engineers"] = job["steps"][0]
    Engineer.fixed_count = int(STATE["engineer_users"])
    Dispatcher.fixed_count = int(STATE["dispatcher_users"])
    env = Environment(user_classes=[Engineer, Dispatcher], host=job["base_url"])
    runner = env.create_local_runner()
    users = Engineer.fixed_count + Dispatcher.fixed_count
    runner.start(users, spawn_rate=max(10, users))
    gevent.sleep(float(job["settle"]))  # caches warm
    _await_first_pulls(env, Engineer.fixed_count, float(job.get("first_pull_timeout", 300)))
    limit = float(job["p95_limit_ms"])
    for engineers in job["steps"]:
        result = _step(env, job, engineers)
        held = [result["requests"][n]["p95_ms"] for n in HELD if n in result["requests"]]
        result["held_p95_ms"] = max(held, default=0.0)
        result["passed"] = bool(held) and max(held) <= limit and not result["errors"]
        print(json.dumps(result, ensure_ascii=False), flush=True)
        if not result["passed"] and job.get("stop_on_failure", True):
            break
    runner.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
