"""The filter stages a phone pulls (schema 7, ``filter_types``): what a filter change's report
names, offline. They follow the device models the phone holds, change and leave like any
synced record, are read only, and an older schema's phone gets exactly what it got before."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PASSWORD,
    PLACES,
    Site,
    _session_do,
    add_job,
    add_technician,
    make_branch,
    run,
    set_rows,
)
from tests.factories import raw_id, scalars, unique
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.models.enums import DeviceStatus, JobStatus, SupplyMode, TicketType
from wellspring.schema.core.ids import global_id

# The tables of schema 6, as a phone of that version has them (filter_types came with 7).
SCHEMA_6_TABLES = {
    "jobs",
    "tickets",
    "customers",
    "addresses",
    "devices",
    "device_models",
    "parts",
    "van_stock",
    "part_consumptions",
    "water_tests",
    "job_notes",
    "job_events",
    "attachments",
    "articles",
}


@dataclass
class World:
    site: Site
    models: dict[str, str]  # "A", "B", "C" -> device model id
    stages: dict[str, dict[int, str]]  # model name -> stage -> filter type id
    devices: dict[str, str]  # model name -> a device of it at the site's customer


def _upsert_model(gql: GraphQL, filters: list[dict[str, Any]], model_id: str | None = None) -> str:
    value: dict[str, Any] = {"filters": filters}
    if model_id is None:
        code = unique("FT").upper()[:20]
        value.update(code=code, name="滤芯测试机", supplyMode="MONTHLY", listPrice="3000")
    else:
        value["id"] = global_id("DeviceModel", model_id)
    answer = gql.data(doc("UpsertDeviceModel"), {"input": value}, as_user="hq")
    result = answer["upsertDeviceModel"]
    assert result["errors"] == [], result["errors"]
    return raw_id(result["deviceModel"]["id"])


def _stages(url: str, model_id: str) -> dict[int, str]:
    rows = scalars(
        url,
        select(m.FilterType).where(
            m.FilterType.device_model_id == model_id, m.FilterType.deleted_at.is_(None)
        ),
    )
    return {row.stage: row.id for row in rows}


def _device(site: Site, model_id: str) -> str:
    async def work(session: Any) -> str:
        device = m.Device(
            serial_number=unique("SN-FT"),
            device_model_id=model_id,
            status=DeviceStatus.INSTALLED,
            branch_id=site.branch_id,
            customer_id=site.customer_id,
            supply_mode=SupplyMode.MONTHLY,
            opened_on=dt.date.today() - dt.timedelta(days=30),
        )
        session.add(device)
        await session.flush()
        return str(device.id)

    return str(run(_session_do(site.url, work)))


@pytest.fixture
def world(gql: GraphQL, database_url: str) -> Iterator[World]:
    """Engineer "me" holds a filter change on a model-A device (on site), a repair of a
    model-B device; engineer "other" a job on a model-C device. A has two stages. The devices
    are retired afterwards: other tests take the first live device as theirs, whose parts fit
    a demo model."""
    site = make_branch(database_url)
    add_technician(site, "me", home=PLACES["people_square"])
    add_technician(site, "other", home=PLACES["xujiahui"])
    a = _upsert_model(
        gql,
        [
            {"stage": 1, "name": "PP 棉", "lifetimeDays": 90},
            {"stage": 2, "name": "活性炭", "lifetimeDays": 180, "capacityBuckets": 400},
        ],
    )
    models = {
        "A": a,
        "B": _upsert_model(gql, [{"stage": 1, "name": "RO 膜", "lifetimeDays": 720}]),
        "C": _upsert_model(gql, [{"stage": 1, "name": "后置炭", "lifetimeDays": 365}]),
    }
    devices = {k: _device(site, v) for k, v in models.items()}
    on_site, at = JobStatus.ON_SITE, PLACES["jingan"]
    for name in ("fa", "fa2"):
        add_job(site, name, at=at, technician="me", status=on_site, device_id=devices["A"],
                kind=TicketType.FILTER_CHANGE)  # fmt: skip
    add_job(site, "rb", at=at, technician="me", status=JobStatus.ASSIGNED, device_id=devices["B"])
    add_job(site, "oc", at=at, technician="other", status=on_site, device_id=devices["C"])
    stages = {k: _stages(database_url, v) for k, v in models.items()}
    yield World(site, models, stages, devices)
    gone = dt.datetime.now(dt.UTC)
    for device in devices.values():
        set_rows(database_url, m.Device, device, deleted_at=gone)


def _phone(gql: GraphQL, w: World, schema_version: int) -> Phone:
    token = gql.login(w.site.usernames["me"], PASSWORD)["token"]
    return Phone(gql.client, token, schema_version=schema_version)


def _ids(w: World, *models: str) -> set[str]:
    return {i for name in models for i in w.stages[name].values()}


def test_the_phone_pulls_the_filter_stages_of_its_models_and_follows_their_changes(
    gql: GraphQL, world: World, database_url: str
) -> None:
    w = world
    phone = _phone(gql, w, 7)
    first = phone.pull()["changes"]["filter_types"]
    # Only the stages of the models the engineer's jobs reach (A and B), never C's.
    assert {r["id"] for r in first["created"]} == _ids(w, "A", "B")
    assert first["updated"] == first["deleted"] == []
    carbon = phone.local["filter_types"][w.stages["A"][2]]
    assert carbon == {
        "id": w.stages["A"][2],
        "device_model_id": w.models["A"],
        "stage": 2,
        "name": "活性炭",
        "lifetime_days": 180,
        "capacity_buckets": 400,
    }
    assert phone.local["filter_types"][w.stages["A"][1]]["capacity_buckets"] is None
    assert carbon["device_model_id"] in phone.local["device_models"]

    # HQ renames stage 1 and adds a stage 3: the next pull brings both.
    _upsert_model(
        gql,
        [
            {"stage": 1, "name": "PP 棉 5μm", "lifetimeDays": 60},
            {"stage": 2, "name": "活性炭", "lifetimeDays": 180, "capacityBuckets": 400},
            {"stage": 3, "name": "后置活性炭", "lifetimeDays": 365},
        ],
        w.models["A"],
    )
    third = _stages(database_url, w.models["A"])[3]
    changed = phone.pull()["changes"]["filter_types"]
    assert [r["id"] for r in changed["created"]] == [third]
    assert [(r["id"], r["name"], r["lifetime_days"]) for r in changed["updated"]] == [
        (w.stages["A"][1], "PP 棉 5μm", 60)
    ]
    assert changed["deleted"] == []

    # Stage 2 dropped: it is retired on the server and leaves the phone.
    _upsert_model(
        gql,
        [
            {"stage": 1, "name": "PP 棉 5μm", "lifetimeDays": 60},
            {"stage": 3, "name": "后置活性炭", "lifetimeDays": 365},
        ],
        w.models["A"],
    )
    dropped = phone.pull()["changes"]["filter_types"]
    assert dropped == {"created": [], "updated": [], "deleted": [w.stages["A"][2]]}

    # The model-B job reassigned away: B's stage leaves with its model.
    set_rows(database_url, m.Job, w.site.jobs["rb"], technician_id=w.site.techs["other"])
    gone = phone.pull()["changes"]
    assert gone["device_models"]["deleted"] == [w.models["B"]]
    assert gone["filter_types"]["deleted"] == [w.stages["B"][1]]
    assert set(phone.local["filter_types"]) == {w.stages["A"][1], third}
    assert not any(phone.pull()["changes"]["filter_types"].values())  # nothing more


def test_a_phone_on_schema_6_gets_what_it_got_before_and_upgrades_with_a_migration(
    gql: GraphQL, world: World
) -> None:
    w = world
    old = _phone(gql, w, 6)
    body = old.pull()
    assert set(body["changes"]) == SCHEMA_6_TABLES
    new = _phone(gql, w, 7)
    new.pull()
    for table in SCHEMA_6_TABLES:  # record for record, column for column
        assert old.local.get(table, {}) == new.local.get(table, {}), table
    # A stage renamed sends a schema-6 phone nothing.
    _upsert_model(gql, [{"stage": 1, "name": "RO 膜 400G", "lifetimeDays": 720}], w.models["B"])
    assert not any(any(c.values()) for c in old.pull()["changes"].values())
    # It cannot push the table it does not have.
    refused = old.client.post(
        "/sync/push",
        json={
            "changes": {"filter_types": {"created": [], "updated": [], "deleted": []}},
            "lastPulledAt": old.cursor,
        },
        headers=old.headers(),
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "UNKNOWN_TABLE"

    # The app upgraded to schema 7 asks for the new table: it arrives whole, as created.
    old.schema_version = 7
    upgraded = old.pull(migration={"from": 6, "tables": ["filter_types"], "columns": []})
    table = upgraded["changes"]["filter_types"]
    assert {r["id"] for r in table["created"]} == _ids(w, "A", "B")
    assert table["updated"] == table["deleted"] == []
    assert old.local["filter_types"][w.stages["B"][1]]["name"] == "RO 膜 400G"
    assert not any(any(c.values()) for c in old.pull()["changes"].values())


def test_filter_stages_are_read_only_on_the_phone(gql: GraphQL, world: World) -> None:
    w = world
    phone = _phone(gql, w, 7)
    phone.pull()
    held = w.stages["A"][1]
    phone.update("filter_types", held, {"name": "改名"})
    made = phone.create(
        "filter_types",
        {"device_model_id": w.models["A"], "stage": 9, "name": "新", "lifetime_days": 30,
         "capacity_buckets": None},
    )  # fmt: skip
    answer = phone.push()
    rejected = answer["rejected"]["filter_types"]
    assert {i: r["code"] for i, r in rejected.items()} == {
        held: "READ_ONLY_TABLE",
        made: "READ_ONLY_TABLE",
    }
    assert scalars(gql_url(gql), select(m.FilterType.name).where(m.FilterType.id == held)) == [
        "PP 棉"
    ]


def gql_url(gql: GraphQL) -> str:
    return str(gql.client.app.state.settings.database_url)  # type: ignore[attr-defined]


def _complete(phone: Phone, job_id: str, filters: list[str]) -> dict[str, Any]:
    now_ms = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    event = phone.create(
        "job_events",
        {"job_id": job_id, "action": "COMPLETE", "reason": None,
         "report_json": json.dumps({"filtersChanged": filters}), "recorded_at": now_ms - 60_000},
    )  # fmt: skip
    answer = phone.push()
    phone.pending.get("job_events", {}).pop(event, None)
    return dict(answer["rejected"].get("job_events", {}).get(event) or {})


def test_a_completion_names_the_pulled_filter_stages(
    gql: GraphQL, world: World, database_url: str
) -> None:
    w = world
    phone = _phone(gql, w, 7)
    phone.pull()
    job = w.site.jobs["fa"]
    device_model = phone.local["devices"][w.devices["A"]]["model_id"]
    held = phone.local["filter_types"].values()
    of_model = sorted(f["id"] for f in held if f["device_model_id"] == device_model)
    assert of_model == sorted(_ids(w, "A"))
    # A stage of another model the phone holds (B) is refused, and names the report's key.
    refused = _complete(phone, job, [of_model[0], w.stages["B"][1]])
    assert (refused["code"], refused["field"]) == (
        "FILTER_NOT_OF_MODEL",
        "report_json.filters_changed",
    )
    assert "report_json.filters_changed" in refused["message"]
    assert scalars(database_url, select(m.Job.status).where(m.Job.id == job)) == [JobStatus.ON_SITE]
    assert _complete(phone, job, of_model) == {}
    changes = scalars(database_url, select(m.FilterChange).where(m.FilterChange.job_id == job))
    assert sorted(c.filter_type_id for c in changes) == of_model
    assert {c.device_id for c in changes} == {w.devices["A"]}
    assert scalars(database_url, select(m.Job.status).where(m.Job.id == job)) == [
        JobStatus.COMPLETED
    ]


def test_complete_job_refuses_a_filter_of_another_model(
    gql: GraphQL, world: World, database_url: str
) -> None:
    w = world
    token = gql.login(w.site.usernames["me"], PASSWORD)["token"]
    job = w.site.jobs["fa2"]

    def complete(filters: list[str], locale: str = "en") -> dict[str, Any]:
        variables = {
            "input": {
                "jobId": global_id("Job", job),
                "report": {"filtersChanged": [global_id("FilterType", f) for f in filters]},
            }
        }
        response = gql.post(doc("CompleteJob"), variables, token=token, locale=locale)
        body = response.json()
        assert "errors" not in body, body
        return dict(body["data"]["completeJob"])

    foreign = complete([w.stages["A"][1], w.stages["C"][1]])["errors"]
    assert [(e["code"], e["field"]) for e in foreign] == [
        ("FILTER_NOT_OF_MODEL", "report.filtersChanged")
    ]
    chinese = complete([w.stages["C"][1]], locale="zh-CN")["errors"][0]["message"]
    assert chinese == (
        "完工报告的更换的滤芯 含有不属于该水机型号（或已从该型号停用）的滤芯，请刷新后重新选择。"
    )
    assert complete([w.stages["A"][2]])["errors"] == []
    changes = scalars(
        database_url, select(m.FilterChange.filter_type_id).where(m.FilterChange.job_id == job)
    )
    assert changes == [w.stages["A"][2]]


DEVICE_FILTERS = """query($id: ID!) { node(id: $id) { ... on Device {
  filters { filterType { id } lastChangedOn dueOn } } } }"""


def _drop_stage_2(gql: GraphQL, w: World) -> str:
    """HQ keeps stage 1 of model A only: stage 2 is retired. Its id."""
    _upsert_model(gql, [{"stage": 1, "name": "PP 棉", "lifetimeDays": 90}], w.models["A"])
    dropped = w.stages["A"][2]
    assert _stages(w.site.url, w.models["A"]) == {1: w.stages["A"][1]}
    return dropped


def _filters_due(gql: GraphQL, device: str) -> dict[str, tuple[Any, Any]]:
    node = gql.data(DEVICE_FILTERS, {"id": global_id("Device", device)}, as_user="hq")["node"]
    return {
        raw_id(f["filterType"]["id"]): (f["lastChangedOn"], f["dueOn"]) for f in node["filters"]
    }


def test_complete_job_refuses_a_retired_filter_stage(
    gql: GraphQL, world: World, database_url: str
) -> None:
    """Found by a hostile pass: with only the stage HQ dropped, a filter change was COMPLETED
    and the device's stages stayed due. Online the engineer's list is stale: refused as a
    stage the model does not have, with it alone or beside a live one."""
    w = world
    dropped = _drop_stage_2(gql, w)
    before = _filters_due(gql, w.devices["A"])
    token = gql.login(w.site.usernames["me"], PASSWORD)["token"]
    job = w.site.jobs["fa2"]
    for filters in ([dropped], [w.stages["A"][1], dropped]):
        variables = {
            "input": {
                "jobId": global_id("Job", job),
                "report": {"filtersChanged": [global_id("FilterType", f) for f in filters]},
            }
        }
        answer = gql.data(doc("CompleteJob"), variables, token=token)["completeJob"]
        assert [(e["code"], e["field"]) for e in answer["errors"]] == [
            ("FILTER_NOT_OF_MODEL", "report.filtersChanged")
        ]
    assert scalars(database_url, select(m.Job.status).where(m.Job.id == job)) == [JobStatus.ON_SITE]
    assert (
        scalars(database_url, select(m.FilterChange.id).where(m.FilterChange.job_id == job)) == []
    )
    assert _filters_due(gql, w.devices["A"]) == before


def test_a_phone_offline_that_names_a_stage_retired_since_completes_the_visit(
    gql: GraphQL, world: World, database_url: str
) -> None:
    """The phone pulled stage 2 before HQ dropped it, and the engineer replaced that filter:
    the completion is taken (refusing it would lose the visit), the change kept on the
    device's history and in the audit, but it counts for no stage the model has: stage 1
    stays due, as before."""
    w = world
    phone = _phone(gql, w, 7)
    phone.pull()
    dropped = _drop_stage_2(gql, w)
    before = _filters_due(gql, w.devices["A"])
    assert set(before) == {w.stages["A"][1]}
    job = w.site.jobs["fa"]
    assert _complete(phone, job, [dropped]) == {}
    assert scalars(database_url, select(m.Job.status).where(m.Job.id == job)) == [
        JobStatus.COMPLETED
    ]
    changes = scalars(
        database_url, select(m.FilterChange.filter_type_id).where(m.FilterChange.job_id == job)
    )
    assert changes == [dropped]
    assert _filters_due(gql, w.devices["A"]) == before  # the live stage is not reset
    [detail] = scalars(
        database_url,
        select(m.AuditEntry.detail).where(
            m.AuditEntry.action == "filters.changed", m.AuditEntry.entity_id == w.devices["A"]
        ),
    )
    assert detail["retired_filter_type_ids"] == [dropped]
    # The phone's next pull drops the stage: a new report cannot name it.
    phone.pull()
    assert dropped not in phone.local["filter_types"]
