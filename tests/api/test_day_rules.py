"""The dispatcher's day, checked (issue 14 §4): shifts and booked windows in AssignJob, on
shift in suggestions, ETAs without a plan, duplicate tickets, districts, parts on jobs, and
routes that follow the vans and spread the work."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import select

from tests.api.workflow_steps import doc, ids
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PASSWORD,
    PLACES,
    Site,
    add_job,
    add_technician,
    local,
    make_branch,
    set_rows,
    stock_van,
)
from tests.factories import fetch, scalars
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.dispatch import suggest
from wellspring.domain.models.enums import JobStatus, Role, TicketType
from wellspring.schema.core.ids import global_id

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
T = TicketType


def _next(weekdays: set[int]) -> dt.date:
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    while day.isoweekday() not in weekdays:
        day += dt.timedelta(days=1)
    return day


def _as(gql: GraphQL, username: str) -> str:
    if username not in gql.tokens:
        gql.sign_in(username, PASSWORD)
    return username


def _assign(
    gql: GraphQL,
    site: Site,
    job: str,
    tech: str,
    window: tuple[dt.datetime, dt.datetime],
    **kw: Any,
) -> dict[str, Any]:
    user = kw.pop("user", None) or _as(gql, site.clerk)
    variables = {
        "jobId": global_id("Job", site.jobs[job]),
        "technicianId": global_id("Technician", site.techs[tech]),
        "appointmentStart": window[0].isoformat(),
        "appointmentEnd": window[1].isoformat(),
        **kw,
    }
    return dict(gql.post(doc("AssignJob"), variables, as_user=user).json())


def _codes(response: dict[str, Any]) -> list[str]:
    return [e["code"] for e in response["data"]["assignJob"]["errors"]]


def test_assign_job_keeps_to_the_engineers_days_hours_and_booked_windows(
    gql: GraphQL, database_url: str
) -> None:
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"], work_days=[1, 2, 3, 4, 5])
    for name in ("j1", "j2", "j3"):
        add_job(s, name, at=PLACES["huangpu"])
    work, off = _next({1, 2, 3, 4, 5}), _next({7})

    evening = _assign(gql, s, "j1", "a", (local(work, 18), local(work, 19)))
    assert _codes(evening) == ["APPOINTMENT_OUTSIDE_SHIFT"]
    assert "08:30" in evening["data"]["assignJob"]["errors"][0]["message"]
    sunday = _assign(gql, s, "j1", "a", (local(off, 10), local(off, 12)))
    assert _codes(sunday) == ["APPOINTMENT_DAY_OFF"]
    assert _codes(_assign(gql, s, "j1", "a", (local(work, 10), local(work, 12)))) == []
    overlap = _assign(gql, s, "j2", "a", (local(work, 11), local(work, 13)))
    assert _codes(overlap) == ["APPOINTMENT_OVERLAP"]
    # Back to back is no overlap.
    assert _codes(_assign(gql, s, "j2", "a", (local(work, 12), local(work, 14)))) == []

    # The hotline may book but not overrule a shift; the branch's clerk may, on the record.
    hotline = _assign(
        gql, s, "j3", "a", (local(off, 10), local(off, 12)), allowOutsideShift=True, user="hotline"
    )
    assert hotline["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    overruled = _assign(gql, s, "j3", "a", (local(off, 10), local(off, 12)), allowOutsideShift=True)
    job = overruled["data"]["assignJob"]["job"]
    assert overruled["data"]["assignJob"]["errors"] == []
    assert job["status"] == "ASSIGNED"
    assert job["statusReason"] == "assigned outside the shift on purpose"
    audit = fetch(
        database_url,
        select(m.AuditEntry.detail).where(
            m.AuditEntry.action == "job.shift_overruled", m.AuditEntry.entity_id == s.jobs["j3"]
        ),
    )
    assert [row[0]["rule"] for row in audit] == ["APPOINTMENT_DAY_OFF"]


def test_suggestions_are_off_shift_once_the_shift_is_over(database_url: str) -> None:
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"], skills=[T.REPAIR])
    add_job(s, "j", at=PLACES["huangpu"])  # no window: it is about today
    today = dt.datetime.now(SHANGHAI).date()

    async def on_shift(hour: int) -> bool:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                hq = await session.scalar(select(m.User).where(m.User.username == "hq"))
                actor = Actor(user_id=hq.id, username="hq", role=Role.HQ)  # type: ignore[union-attr]
                _job, found = await suggest.suggest_technicians(
                    session, actor, job_id=s.jobs["j"], now=local(today, hour)
                )
                return found[0].on_shift
        finally:
            await engine.dispose()

    assert asyncio.run(on_shift(10)) is True
    assert asyncio.run(on_shift(18)) is False


def test_an_engineer_on_the_way_has_an_eta_without_a_plan(gql: GraphQL, database_url: str) -> None:
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"])
    add_job(s, "j", at=PLACES["wujiaochang"], technician="a", status=JobStatus.ACCEPTED)
    user = _as(gql, s.usernames["a"])
    job_id = global_id("Job", s.jobs["j"])
    started = gql.data(doc("StartTravel"), {"id": job_id}, as_user=user)["startTravel"]
    assert started["errors"] == []

    def eta() -> dt.datetime | None:
        value = scalars(database_url, select(m.Job.eta).where(m.Job.id == s.jobs["j"]))[0]
        return value if value is None else value.replace(tzinfo=value.tzinfo or dt.UTC)

    from_home = eta()
    assert from_home is not None  # from the home base, by the travel model
    near = {"latitude": 31.2950, "longitude": 121.5100}  # a few hundred metres away
    moved = gql.data(doc("UpdateLocation"), near, as_user=user)["updateLocation"]
    assert moved["errors"] == []
    assert [j["id"] for j in moved["etasChanged"]] == [job_id]
    closer = eta()
    assert closer is not None
    assert closer < from_home


def test_a_second_open_ticket_of_a_type_on_a_device_is_a_warning(
    gql: GraphQL, database_url: str
) -> None:
    o = ids(database_url)
    ticket = {"type": "FILTER_CHANGE", "customerId": o["customer"], "deviceId": o["device"]}
    first = gql.data(
        doc("OpenTicket"), {"input": {**ticket, "allowDuplicate": True}}, as_user="hotline"
    )
    assert first["openTicket"]["errors"] == []
    again = gql.data(doc("OpenTicket"), {"input": ticket}, as_user="hotline")["openTicket"]
    assert [e["code"] for e in again["errors"]] == ["DUPLICATE_OPEN_TICKET"]
    assert again["ticket"] is None
    existing = again["existingTicket"]
    assert existing is not None
    assert existing["number"] in again["errors"][0]["message"]
    forced = gql.data(
        doc("OpenTicket"), {"input": {**ticket, "allowDuplicate": True}}, as_user="hotline"
    )["openTicket"]
    assert forced["errors"] == []
    assert forced["ticket"]["id"] != existing["id"]


def test_an_unknown_district_is_refused_with_the_valid_ones(
    gql: GraphQL, database_url: str
) -> None:
    branch = ids(database_url)["SH"]

    def open_for(district: str) -> dict[str, Any]:
        address = {"province": "上海市", "city": "上海市", "district": district, "street": "1号"}
        new = {"name": "区县测试", "phone": "13900000001", "address": address}
        variables = {"input": {"type": "INQUIRY", "newCustomer": new, "branchId": branch}}
        return dict(gql.data(doc("OpenTicket"), variables, as_user="hotline")["openTicket"])

    wrong = open_for("浦西新区")
    assert [e["code"] for e in wrong["errors"]] == ["UNKNOWN_DISTRICT"]
    assert "浦东新区" in wrong["errors"][0]["message"]
    assert "徐汇区" in wrong["errors"][0]["message"]
    assert open_for("徐汇")["errors"] == []  # the suffix may be left off


def test_parts_on_a_job_fit_its_model_are_active_and_stop_at_the_close(
    gql: GraphQL, database_url: str
) -> None:
    device_id, model_id = fetch(
        database_url,
        select(m.Device.id, m.DeviceModel.id)
        .join(m.DeviceModel, m.DeviceModel.id == m.Device.device_model_id)
        .where(m.Device.deleted_at.is_(None))
        .order_by(m.Device.id)
        .limit(1),
    )[0]
    other_model = scalars(
        database_url, select(m.DeviceModel.id).where(m.DeviceModel.id != model_id).limit(1)
    )[0]

    def new_part(sku: str, fits: list[str]) -> str:
        variables = {
            "input": {
                "sku": sku,
                "name": sku,
                "cost": "10",
                "listPrice": "20",
                "compatibleModelIds": [global_id("DeviceModel", f) for f in fits],
            }
        }
        made = gql.data(doc("UpsertPart"), variables, as_user="hq")["upsertPart"]
        assert made["errors"] == [], made["errors"]
        return str(made["part"]["id"])

    suffix = s_suffix()
    wrong = new_part(f"WRONG-{suffix}", [other_model])
    right = new_part(f"RIGHT-{suffix}", [model_id])
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"])
    add_job(
        s, "j", at=PLACES["huangpu"], technician="a", status=JobStatus.ON_SITE, device_id=device_id
    )
    for part in (wrong, right):
        stock_van(s, "a", _raw(part), 5)
    user = _as(gql, s.usernames["a"])

    def consume(part: str, key: str, **extra: Any) -> list[str]:
        lines = [{"partId": part, "quantity": 1}]
        variables = {"input": {"jobId": global_id("Job", s.jobs["j"]), "lines": lines}}
        variables["input"] |= {"clientId": f"{key}-{suffix}", **extra}
        result = gql.data(doc("ConsumeParts"), variables, as_user=user)["consumeParts"]
        return [e["code"] for e in result["errors"]]

    assert consume(wrong, "w") == ["PART_NOT_COMPATIBLE"]
    assert consume(right, "r") == []
    done = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    set_rows(database_url, m.Job, s.jobs["j"], status=JobStatus.COMPLETED, completed_at=done)
    assert consume(right, "late") == ["JOB_CLOSED"]
    before = (done - dt.timedelta(minutes=5)).isoformat()
    assert consume(right, "queued", recordedAt=before, recordedOffline=True) == []
    after = (done + dt.timedelta(minutes=5)).isoformat()
    assert consume(right, "after", recordedAt=after, recordedOffline=True) == ["JOB_CLOSED"]
    # The same rule for the phone's sync push: the queue arriving late is taken by its time.
    phone = Phone(gql.client, gql.token(user))
    phone.pull()
    line = {
        "job_id": s.jobs["j"],
        "part_id": _raw(right),
        "quantity": 1,
        "old_part_returned": False,
    }
    ms = int(done.timestamp() * 1000)
    early = phone.create("part_consumptions", {**line, "recorded_at": ms - 60_000})
    late = phone.create("part_consumptions", {**line, "recorded_at": ms + 60_000})
    rejected = phone.push()["rejected"].get("part_consumptions", {})
    assert set(rejected) == {late}
    assert rejected[late]["code"] == "JOB_CLOSED"
    assert early not in rejected

    off = gql.data(doc("UpsertPart"), {"input": {"id": right, "isActive": False}}, as_user="hq")
    assert off["upsertPart"]["errors"] == []
    set_rows(database_url, m.Job, s.jobs["j"], status=JobStatus.ON_SITE)
    assert consume(right, "inactive") == ["PART_INACTIVE"]
    hq_store = scalars(database_url, select(m.Warehouse.id).where(m.Warehouse.code == "WH-HQ"))
    receipt = {
        "input": {
            "kind": "RECEIPT",
            "toWarehouseId": global_id("Warehouse", hq_store[0]),
            "lines": [{"partId": right, "quantity": 1}],
        }
    }
    received = gql.data(doc("MoveStock"), receipt, as_user="hq")["moveStock"]
    assert [e["code"] for e in received["errors"]] == ["PART_INACTIVE"]


def s_suffix() -> str:
    from tests.factories import unique

    return unique("p")[-8:]


def _raw(gid: str) -> str:
    from graphql_relay import from_global_id

    return str(from_global_id(gid)[1])


def test_routes_follow_the_vans_and_spread_the_work(gql: GraphQL, database_url: str) -> None:
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["people_square"], skills=[T.REPAIR])
    add_technician(s, "b", home=PLACES["hongqiao"], skills=[T.REPAIR])
    day = _next({1, 2, 3, 4, 5, 6, 7})
    near_a = ["huangpu", "jingan", "lujiazui", "people_square"]
    for i, place in enumerate(near_a):  # all nearer a: travel alone would give a all four
        add_job(s, f"n{i}", at=PLACES[place], window=(local(day, 9), local(day, 17)))
    variables = {"branchId": global_id("Branch", s.branch_id), "date": day.isoformat()}
    plan = gql.data(doc("OptimizeRoutes"), variables, as_user="hq")["optimizeRoutes"]["plan"]
    counts = sorted(len(r["stops"]) for r in plan["routes"])
    assert counts == [2, 2], counts

    # A job whose parts only b's van holds goes to b; one nobody can serve is flagged.
    part = scalars(database_url, select(m.Part.id).order_by(m.Part.sku).limit(2))
    t = make_branch(database_url)
    add_technician(t, "a", home=PLACES["people_square"], skills=[T.REPAIR])
    add_technician(t, "b", home=PLACES["hongqiao"], skills=[T.REPAIR])
    stock_van(t, "a", part[1], 0)
    stock_van(t, "b", part[0], 3)
    wants = {"expected_parts": [{"part_id": part[0], "quantity": 2}]}
    nobody = {"expected_parts": [{"part_id": part[1], "quantity": 50}]}
    add_job(t, "needs", at=PLACES["people_square"], details=wants)
    add_job(t, "short", at=PLACES["people_square"], details=nobody)
    variables["branchId"] = global_id("Branch", t.branch_id)
    plan = gql.data(doc("OptimizeRoutes"), variables, as_user="hq")["optimizeRoutes"]["plan"]
    stops = {
        _raw(st["job"]["id"]): (_raw(r["technician"]["id"]), st["partsShort"])
        for r in plan["routes"]
        for st in r["stops"]
    }
    assert stops[t.jobs["needs"]] == (t.techs["b"], False)
    assert stops[t.jobs["short"]][1] is True


def test_lists_show_deactivated_rows_on_request_and_jobs_by_appointment(
    gql: GraphQL, database_url: str
) -> None:
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"])
    add_technician(s, "b", home=PLACES["jingan"])
    set_rows(database_url, m.Technician, s.techs["b"], is_active=False)
    branch = global_id("Branch", s.branch_id)
    query = (
        "query($b: ID, $all: Boolean!) { technicians(branchId: $b, includeInactive: $all, "
        "first: 10) { edges { node { id isActive } } } }"
    )

    def engineers(everyone: bool) -> dict[str, bool]:
        page = gql.data(query, {"b": branch, "all": everyone}, as_user="hq")["technicians"]
        return {_raw(e["node"]["id"]): e["node"]["isActive"] for e in page["edges"]}

    assert engineers(False) == {s.techs["a"]: True}
    assert engineers(True) == {s.techs["a"]: True, s.techs["b"]: False}

    day = _next({1, 2, 3, 4, 5, 6, 7})
    add_job(s, "late", at=PLACES["huangpu"], window=(local(day, 14), local(day, 16)))
    add_job(s, "early", at=PLACES["huangpu"], window=(local(day, 9), local(day, 11)))
    add_job(s, "open", at=PLACES["huangpu"])
    jobs = gql.data(
        "query($f: JobFilter) { jobs(filter: $f, orderBy: APPOINTMENT, first: 10) "
        "{ edges { node { id } } } }",
        {"f": {"branchId": branch}},
        as_user="hq",
    )["jobs"]["edges"]
    assert [_raw(e["node"]["id"]) for e in jobs] == [s.jobs["early"], s.jobs["late"]]

    sku = f"OLD-{s_suffix()}"
    made = gql.data(
        doc("UpsertPart"),
        {"input": {"sku": sku, "name": sku, "cost": "1", "listPrice": "2", "isActive": False}},
        as_user="hq",
    )["upsertPart"]
    assert made["errors"] == []

    def skus(active: bool) -> set[str]:
        parts = gql.data(
            "query($a: Boolean) { parts(isActive: $a) { sku } }", {"a": active}, as_user="hq"
        )
        return {p["sku"] for p in parts["parts"]}

    assert sku in skus(False)
    assert sku not in skus(True)


def test_fault_codes_are_data_hq_edits_and_reports_check(gql: GraphQL, database_url: str) -> None:
    code = f"X{s_suffix()[-5:]}".upper()
    new = {"input": {"code": code, "nameZh": "滤芯破裂", "nameEn": "Cracked filter"}}
    hotline = gql.post(doc("UpsertFaultCode"), new, as_user="hotline").json()
    assert hotline["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    made = gql.data(doc("UpsertFaultCode"), new, as_user="hq")["upsertFaultCode"]
    assert made["errors"] == []
    assert made["faultCode"] == {
        "code": code,
        "name": "Cracked filter",
        "nameZh": "滤芯破裂",
        "nameEn": "Cracked filter",
        "isActive": True,
    }
    listed = "query($a: Boolean) { faultCodes(isActive: $a) { code } }"

    def codes(active: bool | None) -> set[str]:
        rows = gql.data(listed, {"a": active}, as_user="tech-sh-1")["faultCodes"]
        return {r["code"] for r in rows}

    assert {"E01", "E99", code} <= codes(True)  # the migration's seed and the new one

    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"])
    add_job(s, "j", at=PLACES["huangpu"], technician="a", status=JobStatus.ON_SITE)
    user = _as(gql, s.usernames["a"])
    report = {"faultSymptom": "漏水", "faultCode": code, "repairLevel": "LEVEL_1"}
    retire = {"input": {"code": code, "isActive": False}}
    assert gql.data(doc("UpsertFaultCode"), retire, as_user="hq")["upsertFaultCode"]["errors"] == []
    assert code in codes(False)
    assert code not in codes(True)
    complete = {"input": {"jobId": global_id("Job", s.jobs["j"]), "report": report}}
    refused = gql.data(doc("CompleteJob"), complete, as_user=user)["completeJob"]
    assert [e["code"] for e in refused["errors"]] == ["UNKNOWN_FAULT_CODE"]
    back = {"input": {"code": code, "isActive": True}}
    assert gql.data(doc("UpsertFaultCode"), back, as_user="hq")["upsertFaultCode"]["errors"] == []
    done = gql.data(doc("CompleteJob"), complete, as_user=user)["completeJob"]
    assert done["errors"] == []
