"""What the phone-client scenarios share (``test_phone_client.py``, ``test_phone_conflicts.py``,
``test_phone_photos.py``): the people, a live server on a fresh database, the real client's
presence check, and the readers of what the phone and the server hold."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from typing import Any

import pytest
from graphql_relay import from_global_id, to_global_id
from sqlalchemy import select

from tests.e2e.live import SYNC_CLIENT, GraphQL, Phone, document
from tests.factories import fetch
from wellspring.domain import models as m
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.models.enums import JOB_OPEN_STATUSES

ENGINEER = "tech-sh-1"
OTHER_ENGINEER = "tech-sh-2"
DISPATCHER = "hq"
OPEN = {s.value for s in JOB_OPEN_STATUSES}
RECENT = dt.timedelta(days=7)  # closed jobs stay on the phone this long (docs/sync.md)
# The events that take a job from its status to ON_SITE, where parts and water tests go.
TO_ON_SITE = {
    "ASSIGNED": ["ACCEPT", "START_TRAVEL", "ARRIVE"],
    "ACCEPTED": ["START_TRAVEL", "ARRIVE"],
    "EN_ROUTE": ["ARRIVE"],
    "ON_SITE": [],
}
SERVER_SET = {("water_tests", "passed")}  # columns the server fills in, whatever the phone sent
CJK = re.compile(r"[\u4e00-\u9fff]")


def require_client() -> None:
    """Skip without the installed client; with CI=true its absence fails the run."""
    missing = []
    if shutil.which("node") is None:
        missing.append("node is not on PATH")
    if not (SYNC_CLIENT / "node_modules" / "@nozbe" / "watermelondb" / "package.json").is_file():
        missing.append("sync-client/node_modules is missing (run `npm ci --prefix sync-client`)")
    if not missing:
        return
    reason = "the real phone client cannot run: " + "; ".join(missing)
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: this test is mandatory)")
    pytest.skip(reason)


def ms(value: str | dt.datetime | None) -> int | None:
    """A GraphQL DateTime (or a datetime) as the epoch milliseconds the phone stores."""
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def raw_id(global_id: str) -> str:
    return str(from_global_id(global_id)[1])


def window(days: int, hour: int) -> tuple[dt.datetime, dt.datetime]:
    """A two-hour appointment ``days`` from today, Shanghai time."""
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=days)
    start = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=SHANGHAI)
    return start, start + dt.timedelta(hours=2)


def pulled_ids(report: dict[str, Any], table: str, kind: str) -> set[str]:
    return set(report["pulled"].get(table, {}).get(kind, []))


def check_integrity(state: dict[str, Any]) -> None:
    """What the phone holds hangs together: every reference points at a record it holds."""
    t = {name: {r["id"]: r for r in rows} for name, rows in state["tables"].items()}
    refs = [
        ("jobs", "ticket_id", "tickets"),
        ("tickets", "customer_id", "customers"),
        ("tickets", "address_id", "addresses"),
        ("tickets", "device_id", "devices"),
        ("addresses", "customer_id", "customers"),
        ("devices", "customer_id", "customers"),
        ("devices", "address_id", "addresses"),
        ("devices", "model_id", "device_models"),
        ("filter_types", "device_model_id", "device_models"),
        ("van_stock", "part_id", "parts"),
        ("part_consumptions", "job_id", "jobs"),
        ("part_consumptions", "part_id", "parts"),
        ("water_tests", "job_id", "jobs"),
        ("job_notes", "job_id", "jobs"),
        ("job_events", "job_id", "jobs"),
        ("attachments", "job_id", "jobs"),
    ]
    dangling = [
        f"{table}#{rid}.{column} -> {target}#{rec[column]}"
        for table, column, target in refs
        for rid, rec in t[table].items()
        if rec[column] is not None and rec[column] not in t[target]
    ]
    assert not dangling, f"the phone holds dangling references: {dangling}"


class Dispatcher:
    """The dispatcher's side, through the GraphQL API (clients/dispatcher/AssignJob.graphql)."""

    def __init__(self, gql: GraphQL, technicians: dict[str, str]) -> None:
        self.gql = gql
        self.technicians = technicians  # username -> Technician id

    def assign(
        self, job_id: str, engineer: str, appointment: tuple[dt.datetime, dt.datetime] | None
    ) -> dict[str, Any]:
        start, end = appointment or (None, None)
        variables = {
            "jobId": _global("Job", job_id),
            "technicianId": _global("Technician", self.technicians[engineer]),
            "appointmentStart": start.isoformat() if start else None,
            "appointmentEnd": end.isoformat() if end else None,
            # Days ahead may be the engineer's day off or booked already: not what this tests.
            "allowOutsideShift": True,
        }
        job: dict[str, Any] = self.gql.payload("AssignJob", variables, DISPATCHER)["job"]
        return job


def _global(type_name: str, id_: str) -> str:
    return str(to_global_id(type_name, id_))


class Findings:
    """Contract deviations that do not stop the scenario; the test fails on them at the end."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def expect(self, ok: bool, message: str) -> None:
        if not ok:
            self.items.append(message)


def server_job(url: str, job_id: str) -> Any:
    return fetch(url, select(m.Job).where(m.Job.id == job_id))[0][0]


def my_jobs(gql: GraphQL) -> dict[str, dict[str, Any]]:
    jobs = gql.data(document("MyJobs"), {}, ENGINEER)["myJobs"]
    return {raw_id(j["id"]): j for j in jobs}


def van_stock(gql: GraphQL) -> dict[str, tuple[str, str, int]]:
    rows = gql.data(document("MyVanStock"), {}, ENGINEER)["myVanStock"]
    return {raw_id(r["id"]): (raw_id(r["part"]["id"]), r["bin"], r["quantity"]) for r in rows}


def phone_van(state: dict[str, Any]) -> dict[str, tuple[str, str, int]]:
    return {r["id"]: (r["part_id"], r["bin"], r["quantity"]) for r in state["tables"]["van_stock"]}


def clean_sync(phone: Phone) -> dict[str, Any]:
    """A sync that pushes nothing that could be refused: no rejection, nothing left pending."""
    report = phone.sync()
    assert report["rejected"] == {}, report
    assert report["rejectedIds"] == {}, report
    return report
