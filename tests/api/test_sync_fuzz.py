"""Generated pushes: the documented tables with arbitrary JSON in every column and arbitrary
envelopes (issue 12). Whatever a phone sends:

- the answer is 200 or a documented 4xx with its code, never a 5xx;
- in a 200 answer every record is applied, settled as a conflict or rejected with a code;
- a refused push changes nothing, and a push sent again changes nothing more.

``WELLSPRING_SYNC_FUZZ_EXAMPLES`` scales the run (default 25); the statuses seen are printed
(``pytest -s``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.api.sync_site import PUSHED_TABLES
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PASSWORD,
    PLACES,
    Site,
    add_job,
    add_technician,
    any_part,
    make_branch,
    stock_van,
)
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.models.enums import JobStatus, TicketType
from wellspring.i18n import MESSAGES
from wellspring.mobile_sync.tables import SCHEMA_VERSIONS, TABLES

EXAMPLES = int(os.environ.get("WELLSPRING_SYNC_FUZZ_EXAMPLES", "25"))
NOW_MS = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
# docs/sync.md, "Errors": what a push may be refused with.
REFUSALS = {
    400: {
        "SYNC_BAD_REQUEST",
        "INVALID_SYNC_CURSOR",
        "LAST_PULLED_AT_REQUIRED",
        "UNKNOWN_TABLE",
        "UNKNOWN_COLUMN",
        "INVALID_RECORD_ID",
        "CURSOR_AHEAD",
        "SYNC_TOO_DEEP",
        "NUMBER_TOO_LARGE",
    },
    403: {"FOREIGN_RECORD"},
    413: {"PUSH_TOO_LARGE", "PAYLOAD_TOO_LARGE"},
}
STATUSES: Counter[int] = Counter()  # answers by HTTP status
OUTCOMES: Counter[str] = Counter()  # refusal codes, and what became of each record
CREATED_MODELS: dict[str, Any] = {
    "job_events": m.JobEvent,
    "job_notes": m.JobNote,
    "water_tests": m.WaterTest,
    "attachments": m.Attachment,
}


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    s = make_branch(database_url)
    add_technician(s, "f", home=PLACES["people_square"])
    add_technician(s, "g", home=PLACES["xujiahui"])
    device = asyncio.run(_first_device(database_url))
    for name, status in (("f1", JobStatus.ASSIGNED), ("f2", JobStatus.ACCEPTED)):
        add_job(
            s,
            name,
            at=PLACES["jingan"],
            technician="f",
            status=status,
            device_id=device,
            kind=TicketType.REPAIR,
        )
    add_job(
        s, "f3", at=PLACES["jingan"], technician="f", status=JobStatus.ON_SITE, device_id=device
    )
    add_job(s, "g1", at=PLACES["jingan"], technician="g", status=JobStatus.ASSIGNED)
    stock_van(s, "f", any_part(database_url), 50)
    return s


async def _first_device(url: str) -> str:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return str(
                await session.scalar(
                    select(m.Device.id)
                    .where(m.Device.deleted_at.is_(None))
                    .order_by(m.Device.id)
                    .limit(1)
                )
            )
    finally:
        await engine.dispose()


@pytest.fixture(scope="module", autouse=True)
def figures() -> Iterator[None]:
    yield
    print(f"\nsync fuzz: {sum(STATUSES.values())} pushes (each 200 sent twice)")
    print(f"  statuses: {dict(sorted(STATUSES.items()))}")
    print(f"  outcomes: {dict(sorted(OUTCOMES.items()))}")


# -- what a phone might send ----------------------------------------------------------------


def json_values(leaf: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaf,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=6,
    )


# Any JSON value a column might hold; integers beyond 64 bits are drawn apart (they refuse the
# whole push), so that most pushes get as far as their records.
JSON = json_values(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats()
    | st.text(max_size=12)
)
HUGE = st.integers(2**63, 2**80) | st.integers(-(2**80), -(2**63) - 1)


def rarely(draw: st.DrawFn, one_in: int) -> bool:
    # sampled_from shrinks towards its first element: the common case.
    return bool(draw(st.sampled_from([False] * (one_in - 1) + [True])))


def pools(site: Site) -> dict[str, list[Any]]:
    return {
        "jobs": [site.jobs["f1"], site.jobs["f2"], site.jobs["f3"]],
        "foreign": [site.jobs["g1"]],
        "parts": [any_part(site.url)],
        "ids": ["fz-a", "fz-b", "fz_c", "fzAc", "fz-d"],
    }


@st.composite
def report(draw: st.DrawFn) -> str:
    keys = ("faultCode", "faultSymptom", "repairLevel", "travelDistanceKm", "waterTest", "x")
    value = draw(
        st.dictionaries(
            st.sampled_from(keys),
            st.one_of(
                JSON,
                st.sampled_from(["E02", "LEVEL_1", "不出水", 3.5]),
                st.fixed_dictionaries({"tds": JSON}),
            ),
            max_size=4,
        )
    )
    return json.dumps(value)


def plausible(site_pools: dict[str, list[Any]], table: str, column: str) -> st.SearchStrategy[Any]:
    if column == "job_id":
        # Now and then another engineer's job: the whole push is refused (FOREIGN_RECORD).
        return st.sampled_from(site_pools["jobs"] * 10 + site_pools["foreign"])
    if column == "part_id":
        return st.sampled_from(site_pools["parts"])
    if column == "action":
        return st.sampled_from(["ACCEPT", "START_TRAVEL", "ARRIVE", "COMPLETE", "FAIL", "DANCE"])
    if column == "report_json":
        return st.none() | report()
    if column == "recorded_at":  # mostly in the past, now and then ahead of the server
        return st.integers(NOW_MS - 3 * 3_600_000, NOW_MS) | st.just(NOW_MS + 3_600_000)
    if column in ("appointment_start", "appointment_end"):
        return st.integers(NOW_MS, NOW_MS + 86_400_000 * 3)
    if table == "attachments" and column == "kind":
        return st.sampled_from(["PHOTO", "FAULT_PHOTO", "SIGNATURE", "DANCE"])
    if column == "content_type":
        return st.sampled_from(["image/jpeg", "image/png", "application/x-msdownload"])
    if column == "byte_size":
        return st.integers(-1, 20 * 1024 * 1024)
    if column == "sha256":
        return st.sampled_from(["a" * 64, "not-a-digest"])
    if column == "quantity":
        return st.integers(-1, 3)
    if column in ("old_part_returned", "passed"):
        return st.booleans()
    if column in ("tds", "ph", "residual_chlorine", "turbidity", "temperature"):
        return st.floats(0, 20)
    kind = next(c.kind for c in TABLES[table].columns if c.name == column)
    if kind == "number":
        return st.none() | st.integers(0, 10)
    if kind == "time":
        return st.none() | st.integers(NOW_MS - 86_400_000, NOW_MS)
    return st.text(max_size=8)


@st.composite
def record(draw: st.DrawFn, site_pools: dict[str, list[Any]], table: str) -> dict[str, Any]:
    spec = TABLES[table]
    ids = site_pools["jobs"] if table == "jobs" else site_pools["ids"]
    out: dict[str, Any] = {
        "id": draw(
            st.sampled_from(ids)
            | st.from_regex(r"r[a-z0-9_-]{0,8}", fullmatch=True)
            | st.from_regex(r"[a-zA-Z0-9_-]{30,64}", fullmatch=True)
        )
    }
    for column in spec.columns:
        choice = draw(st.sampled_from(["plausible"] * 10 + ["any", "omitted"]))
        if choice == "omitted":
            continue
        if choice == "any":
            out[column.name] = draw(HUGE if rarely(draw, 40) else JSON)
        else:
            out[column.name] = draw(plausible(site_pools, table, column.name))
    if draw(st.booleans()):
        out["_changed"] = draw(
            st.sampled_from(["appointment_start,appointment_end", "", "status"]) | JSON
        )
    if rarely(draw, 30):
        out["id"] = draw(JSON)
    if rarely(draw, 30):
        out["colour"] = 1
    return out


@st.composite
def push_body(draw: st.DrawFn, site_pools: dict[str, list[Any]], cursor: int) -> Any:
    # The tables a phone writes to, more often than the others.
    writable = [name for name, table in TABLES.items() if table.creatable or table.editable]
    tables = draw(
        st.lists(
            st.sampled_from(writable * 3 + sorted(TABLES)), min_size=1, max_size=3, unique=True
        )
    )
    changes: dict[str, Any] = {}
    for table in tables:
        kinds: dict[str, Any] = {}
        for kind in ("created", "updated"):
            if draw(st.booleans()):
                kinds[kind] = draw(st.lists(record(site_pools, table), max_size=3))
        if rarely(draw, 4):
            kinds["deleted"] = draw(st.lists(st.sampled_from(site_pools["ids"]), max_size=2))
        if rarely(draw, 30):
            kinds["created"] = draw(JSON)
        changes[table] = kinds
    body: dict[str, Any] = {"changes": changes, "lastPulledAt": cursor}
    envelope = draw(
        st.sampled_from(["as sent"] * 15 + ["cursor", "changes", "extra", "any", "foreign"])
    )
    if envelope == "cursor":
        body["lastPulledAt"] = draw(JSON | HUGE)
    elif envelope == "changes":
        body["changes"] = draw(JSON)
    elif envelope == "extra":
        body[draw(st.text(max_size=5))] = draw(JSON)
    elif envelope == "any":
        return draw(JSON)
    elif envelope == "foreign":
        body["changes"]["jobs"] = {"updated": [{"id": site_pools["foreign"][0]}]}
    return body


# -- what the server holds ------------------------------------------------------------------


def snapshot(url: str, jobs: list[str]) -> Any:
    async def read() -> Any:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                counts = {
                    model.__tablename__: await session.scalar(
                        select(func.count()).select_from(model)
                    )
                    for model in PUSHED_TABLES
                }
                rows = await session.execute(
                    select(m.Job.id, m.Job.status, m.Job.appointment_start, m.Job.appointment_end)
                    .where(m.Job.id.in_(jobs))
                    .order_by(m.Job.id)
                )
                stock = await session.execute(
                    select(m.StockBalance.id, m.StockBalance.quantity).order_by(m.StockBalance.id)
                )
                return counts, list(rows.all()), list(stock.all())
        finally:
            await engine.dispose()

    return asyncio.run(read())


def applied(url: str, table: str, record_id: str) -> bool:
    async def read() -> bool:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                if table == "part_consumptions":
                    found = await session.scalar(
                        select(m.StockEntry.id).where(m.StockEntry.client_id == f"{record_id}:000")
                    )
                else:
                    found = await session.get(CREATED_MODELS[table], record_id)
                return found is not None
        finally:
            await engine.dispose()

    return asyncio.run(read())


def send(p: Phone, body: Any) -> Any:
    raw = json.dumps(body).encode()
    headers = {**p.headers(), "Content-Type": "application/json"}
    return p.client.post("/sync/push", content=raw, headers=headers)


@pytest.fixture(scope="module")
def fuzz_phone(gql: GraphQL, site: Site) -> Phone:
    username = site.usernames["f"]
    gql.sign_in(username, PASSWORD)
    # The newest schema, so every table a phone may push (attachments since 3) is fuzzed.
    p = Phone(gql.client, gql.token(username), schema_version=max(SCHEMA_VERSIONS))
    p.pull()
    return p


def test_no_push_fails_on_what_it_holds(site: Site, fuzz_phone: Phone) -> None:
    site_pools = pools(site)
    jobs = site_pools["jobs"] + site_pools["foreign"]
    assert fuzz_phone.cursor is not None

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(push_body(site_pools, fuzz_phone.cursor))
    def one_push(body: Any) -> None:
        before = snapshot(site.url, jobs)
        response = send(fuzz_phone, body)
        STATUSES[response.status_code] += 1
        if response.status_code != 200:
            code = response.json()["error"]["code"]
            assert code in REFUSALS.get(response.status_code, set()), response.text
            OUTCOMES[f"refused {code}"] += 1
            assert snapshot(site.url, jobs) == before, "a refused push changed something"
            return
        answer = response.json()
        verdicts = (("rejected", answer["rejected"]), ("conflict", answer["conflicts"]))
        for verdict, by_table in verdicts:
            for by_id in by_table.values():
                for reason in by_id.values():
                    assert reason["code"] in MESSAGES, reason
                    assert reason["message"], reason
                    OUTCOMES[f"{verdict} {reason['code']}"] += 1
        for table, ids in answer["experimentalRejectedIds"].items():
            assert set(ids) == set(answer["rejected"][table])
        for table, kinds in body["changes"].items():
            for rec in kinds.get("created") or []:
                settled = rec["id"] in answer["rejected"].get(table, {})
                settled |= rec["id"] in answer["conflicts"].get(table, {})
                if not settled and TABLES[table].creatable:
                    assert applied(site.url, table, rec["id"]), (table, rec)
                    OUTCOMES["created, applied"] += 1
            for rec in kinds.get("updated") or []:
                if rec["id"] not in answer["rejected"].get(table, {}):
                    OUTCOMES["updated, applied or unchanged"] += 1
        once = snapshot(site.url, jobs)
        again = send(fuzz_phone, body)
        assert again.status_code == 200, again.text
        STATUSES[again.status_code] += 1
        assert snapshot(site.url, jobs) == once, "a replayed push changed the state"

    one_push()
