"""Each ticket type's own effects, continued: moves, repair reports against the catalogue,
water tests, and the desk's complaints and inquiries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.api.ticket_types_world import device_row, sh_device, through_the_visit
from tests.api.workflow_steps import doc, ids, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, raw_id, scalars
from wellspring.domain import models as m
from wellspring.domain.models.enums import SupplyMode


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
    below = {"input": {"id": job_id, "report": {**full, "remainingWaterValue": -5}}}
    refused = payload(gql, "CompleteJob", below, "tech-sh-1")["errors"]
    assert [(e["code"], e["field"]) for e in refused] == [
        ("AMOUNT_NEGATIVE", "report.remainingWaterValue")
    ]
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
            m.Ticket.linked_ticket_id == raw_id(ticket["id"])
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


def test_routing_to_the_department_it_is_in_is_refused(gql: GraphQL, database_url: str) -> None:
    # It was accepted and wrote a routing step from a department to itself.
    o = ids(database_url)
    opened = {"type": "INQUIRY", "customerId": o["customer"], "description": "滤芯多久换一次"}
    inquiry = ok(payload(gql, "OpenTicket", {"input": opened}, "hotline"))["ticket"]

    def route(department: str) -> dict[str, Any]:
        variables = {"id": inquiry["id"], "department": department}
        return payload(gql, "RouteTicket", variables, "hotline")

    at_desk = route(" ")  # the desk, where a ticket starts
    assert [(e["field"], e["code"]) for e in at_desk["errors"]] == [
        ("department", "ALREADY_IN_DEPARTMENT")
    ]
    ok(route("售后服务部"))
    again = route(" 售后服务部 ")
    assert [(e["field"], e["code"]) for e in again["errors"]] == [
        ("department", "ALREADY_IN_DEPARTMENT")
    ]
    trail = "query($id: ID!) { ticket(id: $id) { typeDetails { routing { toDepartment } } } }"
    ticket = gql.data(trail, {"id": inquiry["id"]}, as_user="hq")["ticket"]
    assert [s["toDepartment"] for s in ticket["typeDetails"]["routing"]] == ["售后服务部"]
    ok(route(""))  # and back to the desk
