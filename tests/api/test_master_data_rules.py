"""Master data in the dispatcher's day (issue 14 §4): districts checked against the city's
list, parts on a job that fit its model and are active, deactivated rows shown on request,
and fault codes as data that HQ edits and reports check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tests.api.workflow_steps import doc, ids
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PLACES,
    add_job,
    add_technician,
    local,
    make_branch,
    next_day,
    set_rows,
    signed_in,
    stock_van,
)
from tests.factories import fetch, raw_id, scalars
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.models.enums import JobStatus, TicketType
from wellspring.schema.core.ids import global_id

T = TicketType


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
        stock_van(s, "a", raw_id(part), 5)
    user = signed_in(gql, s.usernames["a"])

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
        "part_id": raw_id(right),
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
        return {raw_id(e["node"]["id"]): e["node"]["isActive"] for e in page["edges"]}

    assert engineers(False) == {s.techs["a"]: True}
    assert engineers(True) == {s.techs["a"]: True, s.techs["b"]: False}

    day = next_day({1, 2, 3, 4, 5, 6, 7})
    add_job(s, "late", at=PLACES["huangpu"], window=(local(day, 14), local(day, 16)))
    add_job(s, "early", at=PLACES["huangpu"], window=(local(day, 9), local(day, 11)))
    add_job(s, "open", at=PLACES["huangpu"])
    jobs = gql.data(
        "query($f: JobFilter) { jobs(filter: $f, orderBy: APPOINTMENT, first: 10) "
        "{ edges { node { id } } } }",
        {"f": {"branchId": branch}},
        as_user="hq",
    )["jobs"]["edges"]
    assert [raw_id(e["node"]["id"]) for e in jobs] == [s.jobs["early"], s.jobs["late"]]

    sku = f"OLD-{s_suffix()}".upper()  # SKUs are stored upper-case
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


def test_a_skill_no_longer_a_ticket_type_is_left_out_not_an_error(
    gql: GraphQL, database_url: str
) -> None:
    """A skill stored before its ticket type left the catalogue (a later release, or data
    written around the API) is not shown and matches no job; the engineer's page still answers."""
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["jingan"], skills=[T.REPAIR])
    set_rows(database_url, m.Technician, s.techs["a"], skills=["REPAIR", "DESCALE"])
    query = "query($b: ID) { technicians(branchId: $b, first: 10) { nodes { id skills } } }"
    page = gql.post(query, {"b": global_id("Branch", s.branch_id)}, as_user="hq").json()
    assert "errors" not in page, page
    assert page["data"]["technicians"]["nodes"] == [
        {"id": global_id("Technician", s.techs["a"]), "skills": ["REPAIR"]}
    ]
    node = gql.data(
        "query($id: ID!) { node(id: $id) { ... on Technician { skills } } }",
        {"id": global_id("Technician", s.techs["a"])},
        as_user="hq",
    )
    assert node["node"]["skills"] == ["REPAIR"]
    set_rows(database_url, m.Technician, s.techs["a"], skills=["REPAIR"])  # tidy for others


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
    user = signed_in(gql, s.usernames["a"])
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
