"""Custom fields filled on site (issue 18 §4): HQ marks a ticket's or device's field onSite;
an install's CompleteJob carries the new device's values and the ticket's, checked like
SetCustomFieldValues, and refuses while a required one is empty; the phone (schema 6) gets the
fields to fill with each ticket and sets them in its COMPLETE event, refused with the same
codes. Fields are retired afterwards so no other test has to give them."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.test_custom_fields import _define
from tests.api.ticket_types_world import receive_machine
from tests.api.workflow_steps import appoint, ids, ok, payload
from tests.conftest import GraphQL
from tests.dispatch_site import PASSWORD, PLACES, add_job, add_technician, make_branch
from tests.factories import scalars
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.models.enums import CardStatus, JobStatus
from wellspring.schema.core.ids import global_id

REPAIR = {"faultSymptom": "不出水", "faultCode": "E02", "repairLevel": "LEVEL_1"}
SHOWN = """query($id: ID!) { ticket(id: $id) { customFields { key value }
  device { customFields { key value } } } }"""


@pytest.fixture
def site_fields(gql: GraphQL) -> Iterator[dict[str, str]]:
    tag = uuid.uuid4().hex[:6]
    keys = {"pressure": f"pressure_{tag}", "floor": f"floor_{tag}", "batch": f"batch_{tag}"}
    made = [
        _define(gql, entity="TICKET", key=keys["floor"], type="NUMBER", labelZh="楼层",
                labelEn="Floor", required=True, onSite=True),
        _define(gql, entity="DEVICE", key=keys["pressure"], type="NUMBER", labelZh="进水压力",
                labelEn="Inlet pressure", required=True, onSite=True),
        _define(gql, entity="DEVICE", key=keys["batch"], type="TEXT", labelZh="批次",
                labelEn="Batch"),
    ]  # fmt: skip
    assert [d["errors"] for d in made] == [[], [], []]
    assert made[0]["customField"]["onSite"] is True
    try:
        yield keys
    finally:
        for entity, key in (("TICKET", "floor"), ("DEVICE", "pressure"), ("DEVICE", "batch")):
            assert _define(gql, entity=entity, key=keys[key], isActive=False)["errors"] == []


def _values(**pairs: str) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in pairs.items()]


def test_an_install_fills_the_new_devices_on_site_fields(
    gql: GraphQL, database_url: str, site_fields: dict[str, str]
) -> None:
    k = site_fields
    customer_field = _define(gql, entity="CUSTOMER", key=f"x_{uuid.uuid4().hex[:6]}",
                             type="TEXT", labelZh="甲", labelEn="A", onSite=True)  # fmt: skip
    assert [e["code"] for e in customer_field["errors"]] == ["CUSTOM_FIELD_NOT_ON_SITE"]
    o = ids(database_url)
    serial = f"WS-ONSITE-{uuid.uuid4().hex[:6]}"
    assert receive_machine(gql, database_url, serial)["errors"] == []
    card = scalars(
        database_url,
        select(m.AccountCard.card_number)
        .where(m.AccountCard.status == CardStatus.IN_STOCK, m.AccountCard.agent_id.is_(None))
        .order_by(m.AccountCard.card_number.desc())
        .limit(1),
    )[0]
    model = scalars(database_url, select(m.DeviceModel.id).order_by(m.DeviceModel.code))[0]
    install = {"cardNumber": card, "deviceModelId": global_id("DeviceModel", model),
               "serialNumber": serial}  # fmt: skip
    # a required on-site field is not asked when the ticket is opened
    opening = {"input": {"type": "INSTALL", "customerId": o["customer"], "install": install}}
    ticket = ok(payload(gql, "OpenTicket", opening, "hotline"))["ticket"]
    job_id, _start = appoint(gql, o, ticket["id"])
    for operation in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, operation, {"id": job_id}, "tech-sh-1"))

    def complete(**report: Any) -> list[tuple[str, str]]:
        variables = {"input": {"id": job_id, "report": {"confirmationNumber":
                     f"QR-{uuid.uuid4().hex[:8]}", **report}}}  # fmt: skip
        answer = payload(gql, "CompleteJob", variables, "tech-sh-1")
        return [(e["code"], e["field"]) for e in answer["errors"]]

    floor, pressure = _values(**{k["floor"]: "12"}), _values(**{k["pressure"]: "0.3"})
    assert complete() == [("CUSTOM_FIELD_ON_SITE_MISSING", "report.customFields")]
    assert complete(customFields=floor) == [
        ("CUSTOM_FIELD_ON_SITE_MISSING", "report.deviceCustomFields")
    ]
    assert complete(customFields=floor, deviceCustomFields=_values(**{k["pressure"]: "高"})) == [
        ("CUSTOM_FIELD_INVALID_VALUE", "report.deviceCustomFields")
    ]
    not_on_site = _values(**{k["pressure"]: "0.3", k["batch"]: "B1"})
    assert complete(customFields=floor, deviceCustomFields=not_on_site) == [
        ("CUSTOM_FIELD_NOT_ON_SITE", "report.deviceCustomFields")
    ]
    assert complete(customFields=floor, deviceCustomFields=pressure) == []
    shown = gql.data(SHOWN, {"id": ticket["id"]}, as_user="hq")["ticket"]
    assert {"key": k["floor"], "value": "12"} in shown["customFields"]
    assert {"key": k["pressure"], "value": "0.3"} in shown["device"]["customFields"]


def test_the_phone_gets_and_fills_the_on_site_fields(
    gql: GraphQL, database_url: str, site_fields: dict[str, str]
) -> None:
    k = site_fields
    site = make_branch(database_url)
    add_technician(site, "a", home=PLACES["jingan"])
    job = add_job(site, "j", at=PLACES["huangpu"], technician="a", status=JobStatus.ON_SITE)
    token = gql.login(site.usernames["a"], PASSWORD)["token"]
    phone = Phone(gql.client, token, schema_version=6)
    phone.pull()
    [held] = phone.local["tickets"].values()
    # a repair without a device: only the ticket's on-site field is asked
    assert json.loads(held["on_site_fields"]) == [
        {"entity": "TICKET", "key": k["floor"], "label_zh": "楼层", "label_en": "Floor",
         "type": "NUMBER", "required": True, "options": [], "value": None}
    ]  # fmt: skip
    old = Phone(gql.client, token, schema_version=5)
    old.pull()
    assert "on_site_fields" not in next(iter(old.local["tickets"].values()))
    now_ms = int(dt.datetime.now(dt.UTC).timestamp() * 1000)

    def push(**extra: Any) -> dict[str, Any]:
        report = json.dumps({**REPAIR, **extra})
        event = phone.create(
            "job_events",
            {"job_id": job, "action": "COMPLETE", "reason": None, "report_json": report,
             "recorded_at": now_ms - 60_000},
        )  # fmt: skip
        answer = phone.push()
        phone.pending.get("job_events", {}).pop(event, None)
        return {i: r["code"] for i, r in answer["rejected"].get("job_events", {}).items()}

    assert list(push().values()) == ["CUSTOM_FIELD_ON_SITE_MISSING"]
    assert list(push(customFields={k["floor"]: "三楼"}).values()) == ["CUSTOM_FIELD_INVALID_VALUE"]
    no_device = push(customFields={k["floor"]: 3}, deviceCustomFields={k["pressure"]: 0.3})
    assert list(no_device.values()) == ["INVALID_ARGUMENT"]  # the repair has no device
    assert push(customFields={k["floor"]: 3}) == {}
    stored = scalars(database_url, select(m.Ticket.custom_fields).join(
        m.Job, m.Job.ticket_id == m.Ticket.id).where(m.Job.id == job))  # fmt: skip
    assert stored == [{k["floor"]: 3}]
    assert scalars(database_url, select(m.Job.status).where(m.Job.id == job)) == [
        JobStatus.COMPLETED
    ]
    phone.pull()
    [after] = phone.local["tickets"].values()
    assert json.loads(after["on_site_fields"])[0]["value"] == 3
