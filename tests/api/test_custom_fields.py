"""Custom fields (issue 18 §4): HQ defines them, OpenTicket checks the ticket's and the new
customer's values, the API shows them with their labels and filters by them; generated
definitions never get a 5xx."""

from __future__ import annotations

import base64
import csv
import io
import json
import random
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.api.workflow_steps import doc, ids
from tests.conftest import GraphQL
from tests.dispatch_site import PASSWORD, PLACES, add_job, add_technician, make_branch
from tests.factories import scalars
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.models.enums import JobStatus
from wellspring.schema.core.ids import global_id

SHOWN = """query($id: ID!) { ticket(id: $id) { customFields { key label labelZh labelEn type
  value } customer { id customFields { key value } } } }"""
TICKETS = """query($f: TicketFilter) { tickets(filter: $f, first: 50) { edges { node { id } } } }"""
IMPORT_ERRORS = """query($id: ID!) { import(id: $id) { errors(first: 10) { nodes { line column
  code } } } }"""
CUSTOMERS = """query($c: CustomFieldFilter) { customers(customField: $c, first: 50) {
  edges { node { id } } } }"""


def _define(gql: GraphQL, user: str = "hq", **values: Any) -> dict[str, Any]:
    answer = gql.data(doc("DefineCustomField"), {"input": values}, as_user=user)
    return dict(answer["defineCustomField"])


@pytest.fixture
def fields(gql: GraphQL) -> Iterator[tuple[str, str]]:
    """A required NUMBER field on tickets and a CHOICE on customers, retired afterwards so
    no other test has to give them."""
    floor, source = f"floor_{uuid.uuid4().hex[:6]}", f"source_{uuid.uuid4().hex[:6]}"
    made = _define(gql, entity="TICKET", key=floor, type="NUMBER", labelZh="楼层",
                   labelEn="Floor", required=True)  # fmt: skip
    assert made["errors"] == []
    made = _define(gql, entity="CUSTOMER", key=source, type="CHOICE", labelZh="来源",
                   labelEn="Source", options=["热线", "门店"])  # fmt: skip
    assert made["errors"] == []
    try:
        yield floor, source
    finally:
        for entity, key in (("TICKET", floor), ("CUSTOMER", source)):
            assert _define(gql, entity=entity, key=key, isActive=False)["errors"] == []


def test_hq_defines_fields_with_their_rules(gql: GraphQL) -> None:
    key = f"note_{uuid.uuid4().hex[:6]}"
    refused = gql.post(doc("DefineCustomField"), {"input": {
        "entity": "DEVICE", "key": key, "type": "TEXT", "labelZh": "备注", "labelEn": "Note"}},
        as_user="hotline").json()  # fmt: skip
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    made = _define(gql, entity="DEVICE", key=key, type="TEXT", labelZh="备注", labelEn="Note")
    assert made["customField"] == {
        "entity": "DEVICE", "key": key, "type": "TEXT", "label": "Note", "labelZh": "备注",
        "labelEn": "Note", "required": False, "options": [], "isActive": True, "sortOrder": 0,
        "onSite": False,
    }  # fmt: skip
    cases: dict[str, dict[str, Any]] = {
        "CUSTOM_FIELD_TYPE_LOCKED": {"entity": "DEVICE", "key": key, "type": "NUMBER"},
        "CUSTOM_FIELD_INVALID_KEY": {"entity": "DEVICE", "key": "Bad Key", "type": "TEXT"},
        "CUSTOM_FIELD_OPTIONS_INVALID": {"entity": "DEVICE", "key": key + "_c", "type": "CHOICE",
                                         "labelZh": "选", "labelEn": "Pick", "options": ["a", "a"]},
        "REQUIRED": {"entity": "DEVICE", "key": key + "_n", "type": "TEXT", "labelZh": "只有中文"},
    }  # fmt: skip
    for code, values in cases.items():
        assert [e["code"] for e in _define(gql, **values)["errors"]] == [code], code
    listed = gql.data(doc("CustomFieldDefinitions"), {"entity": "DEVICE", "isActive": True},
                      as_user="tech-sh-1")["customFieldDefinitions"]  # fmt: skip
    assert key in [f["key"] for f in listed]
    assert _define(gql, entity="DEVICE", key=key, isActive=False)["errors"] == []


def test_tickets_and_customers_carry_checked_values_shown_and_filtered(
    gql: GraphQL, database_url: str, fields: tuple[str, str]
) -> None:
    floor, source = fields
    branch = ids(database_url)["SH"]
    phone = f"139{random.randrange(10**7, 10**8)}"
    address = {"province": "上海市", "city": "上海市", "district": "徐汇区", "street": "1号"}

    def open_with(ticket_fields: list[Any], customer_fields: list[Any]) -> dict[str, Any]:
        new = {"name": "字段测试", "phone": phone, "address": address,
               "customFields": customer_fields}  # fmt: skip
        variables = {"input": {"type": "INQUIRY", "newCustomer": new, "branchId": branch,
                               "customFields": ticket_fields}}  # fmt: skip
        return dict(gql.data(doc("OpenTicket"), variables, as_user="hotline")["openTicket"])

    def codes(answer: dict[str, Any]) -> list[tuple[str, str]]:
        return [(e["field"], e["code"]) for e in answer["errors"]]

    good_customer = [{"key": source, "value": "门店"}]
    assert codes(open_with([], good_customer)) == [("customFields", "CUSTOM_FIELD_REQUIRED")]
    assert codes(open_with([{"key": floor, "value": "十二"}], good_customer)) == [
        ("customFields", "CUSTOM_FIELD_INVALID_VALUE")
    ]
    assert codes(
        open_with([{"key": floor, "value": "12"}], [{"key": source, "value": "网店"}])
    ) == [("newCustomer.customFields", "CUSTOM_FIELD_INVALID_VALUE")]
    unknown = open_with([{"key": floor, "value": "12"}, {"key": "nope", "value": "x"}], [])
    assert codes(unknown) == [("customFields", "CUSTOM_FIELD_UNKNOWN")]
    opened = open_with([{"key": floor, "value": "12"}], good_customer)
    assert opened["errors"] == []
    ticket_id = opened["ticket"]["id"]
    shown = gql.data(SHOWN, {"id": ticket_id}, as_user="hq")["ticket"]
    assert {"key": floor, "label": "Floor", "labelZh": "楼层", "labelEn": "Floor",
            "type": "NUMBER", "value": "12"} in shown["customFields"]  # fmt: skip
    assert {"key": source, "value": "门店"} in shown["customer"]["customFields"]

    def found(filter_: dict[str, Any]) -> set[str]:
        rows = gql.data(TICKETS, {"f": {"customField": filter_}}, as_user="hq")["tickets"]
        return {e["node"]["id"] for e in rows["edges"]}

    assert ticket_id in found({"key": floor, "value": "12"})
    assert ticket_id in found({"key": floor, "value": "12.0"})  # read as a number
    assert ticket_id not in found({"key": floor, "value": "13"})
    bad = gql.post(TICKETS, {"f": {"customField": {"key": "nope", "value": "1"}}}, as_user="hq")
    assert bad.json()["errors"][0]["extensions"]["code"] == "CUSTOM_FIELD_UNKNOWN"
    customers = gql.data(CUSTOMERS, {"c": {"key": source, "value": "门店"}}, as_user="hq")
    assert [e["node"]["id"] for e in customers["customers"]["edges"]] == [shown["customer"]["id"]]


DEFINE: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {"entity": st.sampled_from(["CUSTOMER", "DEVICE", "TICKET"]),
     "key": st.one_of(st.text(max_size=45), st.from_regex(r"\Agen_[a-z0-9_]{0,20}\Z"))},
    optional={"type": st.sampled_from(["TEXT", "NUMBER", "DATE", "BOOLEAN", "CHOICE"]),
              "labelZh": st.text(max_size=60), "labelEn": st.text(max_size=110),
              "options": st.lists(st.text(max_size=60), max_size=60),
              "sortOrder": st.integers(-(2**31), 2**31 - 1)},
)  # fmt: skip


def test_generated_definitions_never_fail_the_server(gql: GraphQL) -> None:
    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(
        values=DEFINE,
        filter_value=st.text(max_size=20),
        record=st.one_of(st.text(max_size=30), st.sampled_from(["VGlja2V0Ong=", ""])),
    )
    def check(values: dict[str, Any], filter_value: str, record: str) -> None:
        values["isActive"] = False  # generated fields must not bind the other tests
        response = gql.post(doc("DefineCustomField"), {"input": values}, as_user="hq")
        assert response.status_code < 500
        body = response.json()
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
        assert "INTERNAL_ERROR" not in codes, (values, body)
        listed = gql.post(TICKETS, {"f": {"customField": {"key": values["key"],
                                                          "value": filter_value}}},
                          as_user="hq")  # fmt: skip
        assert listed.status_code < 500
        codes = [e.get("extensions", {}).get("code") for e in listed.json().get("errors") or []]
        assert "INTERNAL_ERROR" not in codes, (values, filter_value, listed.json())
        setting = {
            "input": {"id": record, "customFields": [{"key": values["key"], "value": filter_value}]}
        }
        answer = gql.post(doc("SetCustomFieldValues"), setting, as_user="hq")
        assert answer.status_code < 500
        codes = [e.get("extensions", {}).get("code") for e in answer.json().get("errors") or []]
        assert "INTERNAL_ERROR" not in codes, (setting, answer.json())

    check()


def test_imports_fill_custom_fields_and_exports_carry_them(
    client: TestClient, gql: GraphQL
) -> None:
    key = f"channel_{uuid.uuid4().hex[:6]}"
    made = _define(gql, entity="CUSTOMER", key=key, type="CHOICE", labelZh="渠道",
                   labelEn="Channel", options=["电商", "门店"])  # fmt: skip
    assert made["errors"] == []
    try:
        phones = [f"158{random.randrange(10**7, 10**8)}" for _ in range(2)]
        content = (
            "姓名,电话,省份,城市,区县,分公司,渠道\n"
            f"字段导入,{phones[0]},上海市,上海市,徐汇区,SH,电商\n"
            f"字段导入,{phones[1]},上海市,上海市,徐汇区,SH,网店\n"
        ).encode()
        variables = {"input": {"kind": "CUSTOMERS", "fileName": "渠道.csv",
                               "content": base64.b64encode(content).decode()}}  # fmt: skip
        done = gql.data(doc("StartImport"), variables, as_user="hq")["startImport"]["import"]
        assert (done["appliedRows"], done["errorRows"]) == (1, 1)
        report = gql.data(IMPORT_ERRORS, {"id": done["id"]}, as_user="hq")["import"]
        assert [(e["line"], e["column"], e["code"]) for e in report["errors"]["nodes"]] == [
            (3, key, "CUSTOM_FIELD_INVALID_VALUE")
        ]
        found = gql.data(CUSTOMERS, {"c": {"key": key, "value": "电商"}}, as_user="hq")
        assert len(found["customers"]["edges"]) == 1

        token = gql.token("hq")
        answer = client.get(
            "/export/customers.csv",
            params={"search": phones[0]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
        column = rows[0].index(key)
        assert [r[column] for r in rows[1:]] == ["电商"]
    finally:
        assert _define(gql, entity="CUSTOMER", key=key, isActive=False)["errors"] == []


def test_the_engineers_phone_gets_the_tickets_fields_with_labels(
    gql: GraphQL, database_url: str
) -> None:
    key = f"gate_{uuid.uuid4().hex[:6]}"
    made = _define(gql, entity="TICKET", key=key, type="TEXT", labelZh="门禁密码",
                   labelEn="Gate code")  # fmt: skip
    assert made["errors"] == []
    try:
        site = make_branch(database_url)
        add_technician(site, "a", home=PLACES["jingan"])
        add_job(site, "j", at=PLACES["huangpu"], technician="a", status=JobStatus.ASSIGNED)
        ticket = scalars(database_url, select(m.Job.ticket_id).where(m.Job.id == site.jobs["j"]))
        setting = {"input": {"id": global_id("Ticket", ticket[0]),
                             "customFields": [{"key": key, "value": "#1234"}]}}  # fmt: skip
        answer = gql.data(doc("SetCustomFieldValues"), setting, as_user="hq")
        assert answer["setCustomFieldValues"]["errors"] == []
        user = site.usernames["a"]
        token = gql.login(user, PASSWORD)["token"]
        phone = Phone(gql.client, token, schema_version=4)
        phone.pull()
        [held] = phone.local["tickets"].values()
        assert json.loads(held["custom_fields"]) == [
            {"key": key, "label_zh": "门禁密码", "label_en": "Gate code", "type": "TEXT",
             "value": "#1234"}
        ]  # fmt: skip
        old = Phone(gql.client, token, schema_version=3)
        old.pull()
        assert "custom_fields" not in next(iter(old.local["tickets"].values()))
    finally:
        assert _define(gql, entity="TICKET", key=key, isActive=False)["errors"] == []


def test_a_machine_is_received_with_its_device_fields(gql: GraphQL, database_url: str) -> None:
    key = f"batch_{uuid.uuid4().hex[:6]}"
    made = _define(gql, entity="DEVICE", key=key, type="DATE", labelZh="出厂日期",
                   labelEn="Made on", required=True)  # fmt: skip
    assert made["errors"] == []
    try:
        stores = gql.data(doc("Warehouses"), as_user="hq")["warehouses"]
        hq = next(w["id"] for w in stores if w["code"] == "WH-HQ")
        model = gql.data(doc("DeviceModels"), {"isActive": True}, as_user="hq")["deviceModels"]
        machine = {"warehouseId": hq, "deviceModelId": model[0]["id"],
                   "serialNumber": f"CF{uuid.uuid4().hex[:8]}"}  # fmt: skip

        def receive(**over: Any) -> dict[str, Any]:
            variables = {"input": {**machine, **over}}
            return dict(gql.data(doc("ReceiveMachine"), variables, as_user="hq")["receiveMachine"])

        assert [e["code"] for e in receive()["errors"]] == ["CUSTOM_FIELD_REQUIRED"]
        bad = receive(customFields=[{"key": key, "value": "2026-02-30"}])
        assert [e["code"] for e in bad["errors"]] == ["CUSTOM_FIELD_INVALID_VALUE"]
        got = receive(customFields=[{"key": key, "value": "2026-11-30"}])
        assert got["errors"] == []
        shown = gql.data("query($id: ID!) { device(id: $id) { customFields { key value } } }",
                         {"id": got["device"]["id"]}, as_user="hq")["device"]  # fmt: skip
        assert {"key": key, "value": "2026-11-30"} in shown["customFields"]
    finally:
        assert _define(gql, entity="DEVICE", key=key, isActive=False)["errors"] == []
