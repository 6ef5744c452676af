"""Each ticket type's own effects, from the call to the follow-up, through the documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from graphql_relay import from_global_id
from sqlalchemy import select

from tests.api.test_workflow import doc, ids, ok, payload, window
from tests.conftest import GraphQL
from tests.factories import fetch, scalars
from wellspring.domain import models as m
from wellspring.domain.config import TIME_ZONE
from wellspring.domain.models.enums import (
    TICKET_OPEN_STATUSES,
    CardStatus,
    DeviceStatus,
    OwnerKind,
    SupplyMode,
)
from wellspring.schema.core.ids import global_id


def raw(gid: str) -> str:
    return str(from_global_id(gid)[1])


def through_the_visit(
    gql: GraphQL,
    database_url: str,
    ticket_input: dict[str, Any],
    report: dict[str, Any] | None = None,
    *,
    approver: str = "hotline",
    score: int | None = 5,
) -> dict[str, Any]:
    """Open, approve, dispatch, assign, visit, complete and (optionally) follow up."""
    o = ids(database_url)
    ticket = ok(payload(gql, "OpenTicket", {"input": ticket_input}, "hotline"))["ticket"]
    ok(payload(gql, "ApproveTicket", {"id": ticket["id"]}, approver))
    job = ok(payload(gql, "DispatchTicket", {"id": ticket["id"], "branchId": o["SH"]}, "clerk-sh"))
    job_id = job["job"]["id"]
    start, end = window()
    assign = {"jobId": job_id, "technicianId": o["tech-sh-1"]}
    ok(
        payload(
            gql,
            "AssignJob",
            {**assign, "appointmentStart": start, "appointmentEnd": end},
            "clerk-sh",
        )
    )
    for operation in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, operation, {"id": job_id}, "tech-sh-1"))
    done = ok(
        payload(
            gql, "CompleteJob", {"input": {"jobId": job_id, "report": report or {}}}, "tech-sh-1"
        )
    )
    assert done["ticket"]["status"] == "FOLLOW_UP_DUE"
    if score is not None:
        ok(
            payload(
                gql,
                "RecordFollowUp",
                {"input": {"ticketId": ticket["id"], "score": score}},
                "hotline",
            )
        )
    return {"ticket": ticket["id"], "job": job_id}


def sh_device(database_url: str, mode: SupplyMode, *, with_card: bool = False) -> tuple[str, str]:
    """An installed device of a direct Shanghai customer with no open ticket on it."""
    sh = scalars(database_url, select(m.Branch.id).where(m.Branch.code == "SH"))[0]
    used = set(
        scalars(
            database_url,
            select(m.Ticket.device_id).where(
                m.Ticket.device_id.is_not(None), m.Ticket.status.in_(TICKET_OPEN_STATUSES)
            ),
        )
    )
    stmt = (
        select(m.Device.id, m.Device.customer_id)
        .join(m.Customer, m.Customer.id == m.Device.customer_id)
        .where(
            m.Customer.branch_id == sh,
            m.Customer.owner_kind == OwnerKind.BRANCH,
            m.Device.status == DeviceStatus.INSTALLED,
            m.Device.supply_mode == mode,
        )
        .order_by(m.Device.id)
    )
    if with_card:
        active = select(m.AccountCard.device_id).where(m.AccountCard.status == CardStatus.ACTIVE)
        stmt = stmt.where(m.Device.id.in_(active))
    rows = fetch(database_url, stmt)
    device, customer = next((d, c) for d, c in rows if d not in used)
    return global_id("Device", device), global_id("Customer", customer)


def device_row(database_url: str, gid: str) -> Any:
    return fetch(database_url, select(m.Device).where(m.Device.id == raw(gid)))[0][0]


RECEIVE = """mutation($w: ID!, $m: ID!, $s: String!) {
  receiveMachine(warehouseId: $w, deviceModelId: $m, serialNumber: $s) {
    device { id status warehouse { code } stockBin } errors { code field }
  }
}"""


def receive_machine(gql: GraphQL, database_url: str, serial: str) -> dict[str, Any]:
    """A new machine into the Shanghai station, as the clerk would book it."""
    sh = scalars(database_url, select(m.Warehouse.id).where(m.Warehouse.code == "WH-SH"))[0]
    model = scalars(database_url, select(m.DeviceModel.id).order_by(m.DeviceModel.code))[0]
    variables = {"w": global_id("Warehouse", sh), "m": global_id("DeviceModel", model), "s": serial}
    return gql.data(RECEIVE, variables, as_user="clerk-sh")["receiveMachine"]


def test_install_binds_the_card_and_puts_the_machine_at_the_site(
    gql: GraphQL, database_url: str
) -> None:
    o = ids(database_url)
    booked = receive_machine(gql, database_url, "WS-INSTALL-0001")
    assert booked["errors"] == []
    assert booked["device"]["status"] == "IN_STOCK"
    assert booked["device"]["warehouse"]["code"] == "WH-SH"
    twice = receive_machine(gql, database_url, "WS-INSTALL-0001")
    assert twice["errors"][0]["code"] == "SERIAL_IN_STOCK"
    receive_machine(gql, database_url, "WS-INSTALL-0002")
    card = scalars(
        database_url,
        select(m.AccountCard.card_number)
        .where(m.AccountCard.status == CardStatus.IN_STOCK)
        .order_by(m.AccountCard.card_number.desc())
        .limit(1),
    )[0]
    model = scalars(database_url, select(m.DeviceModel.id).order_by(m.DeviceModel.code))[0]
    ticket_input: dict[str, Any] = {
        "type": "INSTALL",
        "customerId": o["customer"],
        "install": {
            "cardNumber": card,
            "deviceModelId": global_id("DeviceModel", model),
            "serialNumber": "WS-INSTALL-0001",
            "contractNumber": "HT-2026-0001",
            "price": "1280.00",
        },
    }
    missing = dict(ticket_input)
    result = through_the_visit(gql, database_url, missing, {"confirmationNumber": "QR-0001"})
    ticket = gql.data(doc("Ticket"), {"id": result["ticket"]}, as_user="hq")["ticket"]
    assert ticket["status"] == "CLOSED"
    device = gql.data(doc("Device"), {"id": ticket["device"]["id"]}, as_user="hq")["device"]
    assert device["serialNumber"] == "WS-INSTALL-0001"
    assert device["status"] == "INSTALLED"
    assert device["customer"]["id"] == o["customer"]
    assert device["card"]["cardNumber"] == card
    assert device["card"]["status"] == "ACTIVE"
    assert device["price"] == {"amount": "1280.00", "currency": "CNY"}
    assert device["address"]["fullText"]  # the customer's default address
    placed = device_row(database_url, device["id"])
    assert placed.warehouse_id is None  # out of the station, at the site

    # The same form number cannot be filed twice; nothing of the second install is written.
    other_card = scalars(
        database_url,
        select(m.AccountCard.card_number)
        .where(m.AccountCard.status == CardStatus.IN_STOCK)
        .order_by(m.AccountCard.card_number.desc())
        .limit(1),
    )[0]
    second = {
        **ticket_input,
        "install": {
            **ticket_input["install"],
            "cardNumber": other_card,
            "serialNumber": "WS-INSTALL-0002",
        },
    }
    ticket2 = ok(payload(gql, "OpenTicket", {"input": second}, "hotline"))["ticket"]
    ok(payload(gql, "ApproveTicket", {"id": ticket2["id"]}, "hotline"))
    job = ok(payload(gql, "DispatchTicket", {"id": ticket2["id"], "branchId": o["SH"]}, "clerk-sh"))
    job_id = job["job"]["id"]
    ok(payload(gql, "AssignJob", {"jobId": job_id, "technicianId": o["tech-sh-1"]}, "clerk-sh"))
    for operation in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, operation, {"id": job_id}, "tech-sh-1"))
    no_form = payload(gql, "CompleteJob", {"input": {"jobId": job_id, "report": {}}}, "tech-sh-1")
    assert no_form["errors"][0]["code"] == "REPORT_FIELD_REQUIRED"
    assert no_form["errors"][0]["field"] == "report.confirmationNumber"
    duplicate = payload(
        gql,
        "CompleteJob",
        {"input": {"jobId": job_id, "report": {"confirmationNumber": "QR-0001"}}},
        "tech-sh-1",
    )
    assert duplicate["errors"][0]["code"] == "CONFIRMATION_NUMBER_TAKEN"
    still = fetch(
        database_url,
        select(m.Device.status, m.Device.warehouse_id).where(
            m.Device.serial_number == "WS-INSTALL-0002"
        ),
    )
    assert still[0][0] is DeviceStatus.IN_STOCK
    assert still[0][1] is not None
    status = scalars(
        database_url, select(m.AccountCard.status).where(m.AccountCard.card_number == other_card)
    )
    assert status == [CardStatus.IN_STOCK]


def test_uninstall_takes_the_machine_away(gql: GraphQL, database_url: str) -> None:
    device, customer = sh_device(database_url, SupplyMode.MONTHLY)
    ticket_input = {"type": "UNINSTALL", "customerId": customer, "deviceId": device}
    through_the_visit(gql, database_url, ticket_input, {"deviceCondition": "DEFECTIVE"})
    row = device_row(database_url, device)
    assert row.status is DeviceStatus.UNINSTALLED
    assert row.customer_id is None
    station = scalars(
        database_url, select(m.Warehouse.code).where(m.Warehouse.id == row.warehouse_id)
    )
    assert station == ["WH-SH"]
    assert row.stock_bin.value == "DEFECTIVE"
    again = payload(
        gql,
        "OpenTicket",
        {
            "input": {
                "type": "RECHARGE",
                "customerId": customer,
                "deviceId": device,
                "recharge": {
                    "plan": "MONTHLY",
                    "quantity": 1,
                    "unitPrice": "30",
                    "paymentMethod": "ONLINE",
                },
            }
        },
        "hotline",
    )
    assert again["errors"][0]["code"] == "DEVICE_NOT_INSTALLED"
    assert "uninstalled" in again["errors"][0]["message"]


def test_card_cancellation_returns_the_card(gql: GraphQL, database_url: str) -> None:
    device, customer = sh_device(database_url, SupplyMode.BUCKETS, with_card=True)
    card = scalars(
        database_url,
        select(m.AccountCard.id).where(
            m.AccountCard.device_id == raw(device), m.AccountCard.status == CardStatus.ACTIVE
        ),
    )[0]
    ticket_input = {
        "type": "CARD_CANCEL",
        "customerId": customer,
        "cardId": global_id("AccountCard", card),
    }
    through_the_visit(gql, database_url, ticket_input)
    row = fetch(database_url, select(m.AccountCard).where(m.AccountCard.id == card))[0][0]
    assert row.status is CardStatus.AWAITING_ACTIVATION
    assert row.customer_id is None
    assert row.device_id is None


def test_recharges_extend_the_supply_or_the_buckets(gql: GraphQL, database_url: str) -> None:
    device, customer = sh_device(database_url, SupplyMode.MONTHLY)
    before = device_row(database_url, device)
    mismatch = payload(
        gql,
        "OpenTicket",
        {
            "input": {
                "type": "RECHARGE",
                "customerId": customer,
                "deviceId": device,
                "recharge": {
                    "plan": "BUCKETS",
                    "quantity": 10,
                    "unitPrice": "15",
                    "paymentMethod": "ON_SITE",
                },
            }
        },
        "hotline",
    )
    assert mismatch["errors"][0]["code"] == "RECHARGE_PLAN_MISMATCH"
    negative = payload(
        gql,
        "OpenTicket",
        {
            "input": {
                "type": "RECHARGE",
                "customerId": customer,
                "deviceId": device,
                "recharge": {
                    "plan": "MONTHLY",
                    "quantity": 3,
                    "unitPrice": "-1",
                    "paymentMethod": "ON_SITE",
                },
            }
        },
        "hotline",
    )
    assert negative["errors"][0]["code"] == "AMOUNT_NEGATIVE"
    ticket_input = {
        "type": "RECHARGE",
        "customerId": customer,
        "deviceId": device,
        "recharge": {
            "plan": "MONTHLY",
            "quantity": 3,
            "unitPrice": "30.00",
            "paymentMethod": "ON_SITE",
        },
    }
    through_the_visit(gql, database_url, ticket_input)
    after = device_row(database_url, device)
    today = dt.datetime.now(TIME_ZONE).date()
    start = max(today, before.supply_expires_on or today)
    assert after.supply_expires_on is not None
    assert 89 <= (after.supply_expires_on - start).days <= 92
    assert after.first_recharged_at is not None
    if before.first_recharged_at is not None:
        assert after.first_recharged_at == before.first_recharged_at
    recorded = fetch(
        database_url,
        select(m.AuditEntry.detail).where(
            m.AuditEntry.action == "recharge.recorded", m.AuditEntry.entity_id == raw(device)
        ),
    )
    assert recorded[0][0]["amount"] == "90.00"
    assert recorded[0][0]["notify_technician_id"]

    buckets, owner = sh_device(database_url, SupplyMode.BUCKETS)
    balance = device_row(database_url, buckets).bucket_balance
    through_the_visit(
        gql,
        database_url,
        {
            "type": "RECHARGE",
            "customerId": owner,
            "deviceId": buckets,
            "recharge": {
                "plan": "BUCKETS",
                "quantity": 20,
                "unitPrice": "12.5",
                "paymentMethod": "CARD",
            },
        },
    )
    assert device_row(database_url, buckets).bucket_balance == balance + 20


def test_a_move_needs_the_branch_and_changes_the_address_at_follow_up(
    gql: GraphQL, database_url: str
) -> None:
    device, customer = sh_device(database_url, SupplyMode.MONTHLY)
    old_address = device_row(database_url, device).address_id
    new = {
        "province": "上海市",
        "city": "上海市",
        "district": "浦东新区",
        "street": "花木街道",
        "community": "联洋新苑",
        "building": "8号楼",
        "room": "1601室",
    }
    ticket_input = {
        "type": "RELOCATE",
        "customerId": customer,
        "deviceId": device,
        "relocateTo": new,
    }
    opened = ok(payload(gql, "OpenTicket", {"input": ticket_input}, "hotline"))["ticket"]
    hotline = gql.post(doc("ApproveTicket"), {"id": opened["id"]}, as_user="hotline").json()
    assert hotline["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    ok(payload(gql, "CancelTicket", {"id": opened["id"], "reason": "重复"}, "hotline"))

    result = through_the_visit(gql, database_url, ticket_input, approver="clerk-sh", score=None)
    assert device_row(database_url, device).address_id == old_address  # not before the call
    ok(
        payload(
            gql, "RecordFollowUp", {"input": {"ticketId": result["ticket"], "score": 4}}, "hotline"
        )
    )
    moved = gql.data(doc("Device"), {"id": device}, as_user="hq")["device"]
    assert moved["address"]["fullText"] == "上海市浦东新区花木街道联洋新苑8号楼1601室"
    assert device_row(database_url, device).address_id != old_address
    kept = scalars(database_url, select(m.Address.id).where(m.Address.id == old_address))
    assert kept == [old_address]


def test_repair_reports_are_checked_against_the_catalogue(gql: GraphQL, database_url: str) -> None:
    codes = gql.data("{ faultCodes { code name } repairLevels { code } }", as_user="tech-sh-1")
    assert {"code": "E01", "name": "Leak"} in codes["faultCodes"]
    device, customer = sh_device(database_url, SupplyMode.BUCKETS)
    o = ids(database_url)
    ticket = ok(
        payload(
            gql,
            "OpenTicket",
            {"input": {"type": "REPAIR", "customerId": customer, "deviceId": device}},
            "hotline",
        )
    )["ticket"]
    ok(payload(gql, "ApproveTicket", {"id": ticket["id"]}, "hotline"))
    job_id = ok(
        payload(gql, "DispatchTicket", {"id": ticket["id"], "branchId": o["SH"]}, "clerk-sh")
    )["job"]["id"]
    ok(payload(gql, "AssignJob", {"jobId": job_id, "technicianId": o["tech-sh-1"]}, "clerk-sh"))
    for operation in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, operation, {"id": job_id}, "tech-sh-1"))
    bad = payload(
        gql,
        "CompleteJob",
        {
            "input": {
                "jobId": job_id,
                "report": {"faultSymptom": "x", "faultCode": "Z42", "repairLevel": "LEVEL_1"},
            }
        },
        "tech-sh-1",
    )
    assert bad["errors"][0]["code"] == "UNKNOWN_FAULT_CODE"
    missing = payload(
        gql,
        "CompleteJob",
        {"input": {"jobId": job_id, "report": {"faultCode": "E01"}}},
        "tech-sh-1",
    )
    assert missing["errors"][0]["code"] == "REPORT_FIELD_REQUIRED"
    assert missing["job"] is None
    full = {
        "faultSymptom": "漏水",
        "faultCode": "E01",
        "repairLevel": "LEVEL_2",
        "travelDistanceKm": 12.5,
        "customerComment": "师傅很专业",
        "appearance": "外观完好",
        "waterTestResult": "TDS 12",
        "remainingWaterValue": 30,
    }
    both = payload(
        gql, "CompleteJob", {"input": {"id": job_id, "jobId": job_id, "report": full}}, "tech-sh-1"
    )
    assert [e["code"] for e in both["errors"]] == ["INVALID_ARGUMENT"]  # one name, not both
    done = ok(payload(gql, "CompleteJob", {"input": {"id": job_id, "report": full}}, "tech-sh-1"))
    assert done["job"]["status"] == "COMPLETED"
    filed = gql.data(
        "query($id: ID!) { node(id: $id) { ... on Job { report completionReport {"
        " faultCode repairLevel travelDistanceKm waterTest { tds } filtersChanged { id } } } } }",
        {"id": job_id},
        as_user="hq",
    )["node"]
    import json

    assert json.loads(filed["report"])["fault_code"] == "E01"
    typed = filed["completionReport"]
    assert (typed["faultCode"], typed["repairLevel"]) == ("E01", "LEVEL_2")
    assert (typed["travelDistanceKm"], typed["waterTest"], typed["filtersChanged"]) == (
        12.5,
        None,
        [],
    )


def test_water_tests_are_kept_and_a_failing_one_asks_for_new_filters(
    gql: GraphQL, database_url: str
) -> None:
    device, customer = sh_device(database_url, SupplyMode.BUCKETS)
    ticket_input = {"type": "WATER_TEST", "customerId": customer, "deviceId": device}
    o = ids(database_url)
    ticket = ok(payload(gql, "OpenTicket", {"input": ticket_input}, "hotline"))["ticket"]
    ok(payload(gql, "ApproveTicket", {"id": ticket["id"]}, "hotline"))
    job_id = ok(
        payload(gql, "DispatchTicket", {"id": ticket["id"], "branchId": o["SH"]}, "clerk-sh")
    )["job"]["id"]
    ok(payload(gql, "AssignJob", {"jobId": job_id, "technicianId": o["tech-sh-1"]}, "clerk-sh"))
    for operation in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, operation, {"id": job_id}, "tech-sh-1"))
    empty = payload(gql, "CompleteJob", {"input": {"jobId": job_id, "report": {}}}, "tech-sh-1")
    assert empty["errors"][0]["field"] == "report.waterTest"
    absurd = payload(
        gql,
        "CompleteJob",
        {"input": {"jobId": job_id, "report": {"waterTest": {"ph": 21}}}},
        "tech-sh-1",
    )
    assert absurd["errors"][0]["code"] == "INVALID_ARGUMENT"
    assert absurd["errors"][0]["field"] == "report.waterTest.ph"
    readings = {
        "tds": 320,
        "ph": 7.1,
        "residualChlorine": 0.05,
        "turbidity": 0.3,
        "temperature": 18.5,
    }
    ok(
        payload(
            gql,
            "CompleteJob",
            {"input": {"jobId": job_id, "report": {"waterTest": readings}}},
            "tech-sh-1",
        )
    )
    tests = gql.data(
        "query($id: ID!) { device(id: $id) { waterTests { tds ph passed failures } } }",
        {"id": device},
        as_user="hq",
    )["device"]["waterTests"]
    assert tests[0] == {"tds": 320.0, "ph": 7.1, "passed": False, "failures": ["tds"]}
    follow = fetch(
        database_url,
        select(m.Ticket.type, m.Ticket.status, m.Ticket.channel).where(
            m.Ticket.linked_ticket_id == raw(ticket["id"])
        ),
    )
    assert [(t.value, s.value, c.value) for t, s, c in follow] == [
        ("FILTER_CHANGE", "CREATED", "SYSTEM")
    ]


def test_complaints_and_inquiries_are_routed_and_answered_at_the_desk(
    gql: GraphQL, database_url: str
) -> None:
    o = ids(database_url)
    complaint = ok(
        payload(
            gql,
            "OpenTicket",
            {
                "input": {
                    "type": "COMPLAINT",
                    "customerId": o["customer"],
                    "priority": "URGENT",
                    "description": "工程师迟到两小时",
                }
            },
            "hotline",
        )
    )["ticket"]
    routed = ok(
        payload(
            gql,
            "RouteTicket",
            {"id": complaint["id"], "department": "售后服务部", "note": "请核实"},
            "hotline",
        )
    )["ticket"]
    assert routed["department"] == "售后服务部"
    back = ok(
        payload(
            gql,
            "RouteTicket",
            {"id": complaint["id"], "department": "", "note": "已核实，工程师已致歉"},
            "clerk-sh",
        )
    )["ticket"]
    assert back["department"] == ""
    assert back["handlerName"]
    trail = back["typeDetails"]["routing"]
    assert [step["toDepartment"] for step in trail] == ["售后服务部", ""]
    assert trail[1]["fromDepartment"] == "售后服务部"
    assert all(step["byName"] and step["at"] for step in trail)
    early = payload(gql, "ResolveTicket", {"id": complaint["id"], "resolution": "x"}, "hotline")
    assert early["errors"][0]["code"] == "INVALID_TRANSITION"
    ok(payload(gql, "ApproveTicket", {"id": complaint["id"]}, "hotline"))
    resolved = ok(
        payload(
            gql,
            "ResolveTicket",
            {"id": complaint["id"], "resolution": "赠送一次滤芯更换"},
            "hotline",
        )
    )["ticket"]
    assert resolved["status"] == "FOLLOW_UP_DUE"
    ok(
        payload(
            gql, "RecordFollowUp", {"input": {"ticketId": complaint["id"], "score": 4}}, "hotline"
        )
    )

    praise = ok(
        payload(
            gql,
            "OpenTicket",
            {"input": {"type": "PRAISE", "customerId": o["customer"], "description": "师傅很专业"}},
            "hotline",
        )
    )["ticket"]
    ok(payload(gql, "ApproveTicket", {"id": praise["id"]}, "hotline"))
    closed = ok(
        payload(gql, "ResolveTicket", {"id": praise["id"], "resolution": "已通报表扬"}, "hotline")
    )["ticket"]
    assert closed["status"] == "CLOSED"

    device, customer = sh_device(database_url, SupplyMode.MONTHLY)
    repair = ok(
        payload(
            gql,
            "OpenTicket",
            {"input": {"type": "REPAIR", "customerId": customer, "deviceId": device}},
            "hotline",
        )
    )["ticket"]
    not_desk = payload(gql, "RouteTicket", {"id": repair["id"], "department": "财务部"}, "hotline")
    assert not_desk["errors"][0]["code"] == "INVALID_TRANSITION"
    tech = gql.post(
        doc("RouteTicket"), {"id": complaint["id"], "department": "x"}, as_user="tech-sh-1"
    ).json()
    assert tech["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    inquiry = ok(
        payload(
            gql,
            "OpenTicket",
            {
                "input": {
                    "type": "INQUIRY",
                    "customerId": o["customer"],
                    "description": "滤芯多久换一次？",
                }
            },
            "hotline",
        )
    )
    ok(payload(gql, "ApproveTicket", {"id": inquiry["ticket"]["id"]}, "hotline"))
    answered = ok(
        payload(
            gql,
            "ResolveTicket",
            {"id": inquiry["ticket"]["id"], "resolution": "PP棉三个月一换"},
            "hotline",
        )
    )["ticket"]
    assert answered["status"] == "FOLLOW_UP_DUE"
