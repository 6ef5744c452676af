"""Every step of the spine through the client documents, as the personas do it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.api.workflow_steps import (
    REPAIR_REPORT,
    doc,
    history,
    ids,
    ok,
    open_repair,
    payload,
    to_assigned,
    window,
)
from tests.conftest import GraphQL
from tests.factories import scalars
from wellspring.domain import models as m
from wellspring.domain.models.enums import CardStatus
from wellspring.schema.core.ids import global_id


def test_a_repair_from_the_call_to_the_score(gql: GraphQL, database_url: str) -> None:
    o = ids(database_url)
    ticket = open_repair(gql, o)
    assert ticket["status"] == "CREATED"
    assert ticket["dueAt"] is not None
    assert (
        ok(payload(gql, "ApproveTicket", {"id": ticket["id"]}, "hotline"))["ticket"]["status"]
        == "APPROVED"
    )
    dispatched = ok(
        payload(gql, "DispatchTicket", {"id": ticket["id"], "branchId": o["SH"]}, "clerk-sh")
    )
    assert dispatched["ticket"]["status"] == "DISPATCHED"
    assert dispatched["job"]["status"] == "PENDING"
    job_id = dispatched["job"]["id"]
    start, end = window()
    assigned = ok(
        payload(
            gql,
            "AssignJob",
            {
                "jobId": job_id,
                "technicianId": o["tech-sh-1"],
                "appointmentStart": start,
                "appointmentEnd": end,
            },
            "clerk-sh",
        )
    )
    assert assigned["job"]["status"] == "ASSIGNED"
    assert assigned["ticket"]["status"] == "APPOINTED"
    assert assigned["job"]["appointmentStart"] == start

    day = start[:10]
    mine = gql.data(doc("MyJobs"), {"date": day}, as_user="tech-sh-1")["myJobs"]
    job = next(j for j in mine if j["id"] == job_id)
    assert job["ticket"]["customer"]["phone"]
    assert job["ticket"]["device"]["serialNumber"]
    assert all(j["appointmentStart"].startswith(day) for j in mine)

    for operation, job_status, ticket_status in (
        ("AcceptJob", "ACCEPTED", "APPOINTED"),
        ("StartTravel", "EN_ROUTE", "EN_ROUTE"),
        ("ArriveOnSite", "ON_SITE", "ON_SITE"),
    ):
        moved = ok(payload(gql, operation, {"id": job_id}, "tech-sh-1"))
        assert moved["job"]["status"] == job_status
        assert moved["ticket"]["status"] == ticket_status

    report = {
        "faultSymptom": "漏水",
        "faultCode": "E01",
        "repairLevel": "LEVEL_2",
        "notes": "换了密封圈",
    }
    done = ok(
        payload(gql, "CompleteJob", {"input": {"jobId": job_id, "report": report}}, "tech-sh-1")
    )
    assert done["job"]["status"] == "COMPLETED"
    assert done["ticket"]["status"] == "FOLLOW_UP_DUE"

    due = gql.data(doc("FollowUpsDue"), {"first": 100}, as_user="hotline")["followUpsDue"]
    assert ticket["id"] in [e["node"]["ticket"]["id"] for e in due["edges"]]

    closed = ok(
        payload(
            gql,
            "RecordFollowUp",
            {"input": {"ticketId": ticket["id"], "score": 5, "comment": "很满意"}},
            "hotline",
        )
    )
    assert closed["ticket"]["status"] == "CLOSED"
    assert closed["followUp"]["score"] == 5
    assert closed["complaint"] is None
    assert history(gql, ticket["id"]) == [
        (None, "CREATED"),
        ("CREATED", "APPROVED"),
        ("APPROVED", "DISPATCHED"),
        ("DISPATCHED", "APPOINTED"),
        ("APPOINTED", "EN_ROUTE"),
        ("EN_ROUTE", "ON_SITE"),
        ("ON_SITE", "COMPLETED"),
        ("COMPLETED", "FOLLOW_UP_DUE"),
        ("FOLLOW_UP_DUE", "CLOSED"),
    ]
    full = gql.data(doc("Ticket"), {"id": ticket["id"]}, as_user="hq")["ticket"]
    job_trail = [(h["from"], h["to"]) for h in full["jobs"][0]["history"]]
    assert job_trail == [
        (None, "PENDING"),
        ("PENDING", "ASSIGNED"),
        ("ASSIGNED", "ACCEPTED"),
        ("ACCEPTED", "EN_ROUTE"),
        ("EN_ROUTE", "ON_SITE"),
        ("ON_SITE", "COMPLETED"),
    ]
    assert all(h["actorName"] for h in full["history"])


def test_a_failed_visit_goes_back_to_the_dispatcher(gql: GraphQL, database_url: str) -> None:
    o = ids(database_url)
    ticket_id, job_id = to_assigned(gql, o)
    failed = ok(payload(gql, "FailJob", {"id": job_id, "reason": "客户不在家"}, "tech-sh-1"))
    assert failed["job"]["status"] == "FAILED"
    assert failed["ticket"]["status"] == "DISPATCHED"
    ticket = gql.data(doc("Ticket"), {"id": ticket_id}, as_user="clerk-sh")["ticket"]
    statuses = [j["status"] for j in ticket["jobs"]]
    assert statuses == ["FAILED", "PENDING"]
    new_job = ticket["jobs"][1]["id"]
    again = ok(
        payload(gql, "AssignJob", {"jobId": new_job, "technicianId": o["tech-sh-2"]}, "clerk-sh")
    )
    assert again["ticket"]["status"] == "ASSIGNED"


def test_a_low_score_opens_a_linked_complaint(gql: GraphQL, database_url: str) -> None:
    o = ids(database_url)
    ticket_id, job_id = to_assigned(gql, o)
    for operation in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, operation, {"id": job_id}, "tech-sh-1"))
    ok(
        payload(
            gql, "CompleteJob", {"input": {"jobId": job_id, "report": REPAIR_REPORT}}, "tech-sh-1"
        )
    )
    missing = payload(
        gql, "RecordFollowUp", {"input": {"ticketId": ticket_id, "score": 2}}, "hotline"
    )
    assert missing["errors"][0]["code"] == "DISSATISFACTION_REQUIRED"
    result = ok(
        payload(
            gql,
            "RecordFollowUp",
            {
                "input": {
                    "ticketId": ticket_id,
                    "score": 1,
                    "dissatisfaction": "SLOW_REPAIR",
                    "comment": "等了三天",
                }
            },
            "hotline",
        )
    )
    complaint = result["complaint"]
    assert complaint["type"] == "COMPLAINT"
    assert complaint["status"] == "CREATED"
    assert complaint["priority"] == "HIGH"
    from graphql_relay import from_global_id

    linked = scalars(
        database_url,
        select(m.Ticket.linked_ticket_id).where(m.Ticket.id == from_global_id(complaint["id"])[1]),
    )
    assert linked == [from_global_id(ticket_id)[1]]


def test_cancelling_an_assigned_ticket_cancels_its_job(gql: GraphQL, database_url: str) -> None:
    o = ids(database_url)
    ticket_id, _job_id = to_assigned(gql, o)
    blank = payload(gql, "CancelTicket", {"id": ticket_id, "reason": "  "}, "hotline")
    assert blank["errors"][0]["code"] == "REASON_REQUIRED"
    cancelled = ok(payload(gql, "CancelTicket", {"id": ticket_id, "reason": "客户取消"}, "hotline"))
    assert cancelled["ticket"]["status"] == "CANCELLED"
    assert cancelled["ticket"]["statusReason"] == "客户取消"
    assert [j["status"] for j in cancelled["ticket"]["jobs"]] == ["CANCELLED"]
    again = payload(gql, "CancelTicket", {"id": ticket_id, "reason": "again"}, "hotline")
    assert again["errors"][0]["code"] == "INVALID_TRANSITION"
    assert "cancelled" in again["errors"][0]["message"]


def test_illegal_moves_and_bad_input_change_nothing(gql: GraphQL, database_url: str) -> None:
    o = ids(database_url)
    ticket = open_repair(gql, o)
    ok(payload(gql, "ApproveTicket", {"id": ticket["id"]}, "hotline"))
    twice = payload(gql, "ApproveTicket", {"id": ticket["id"]}, "hotline")
    assert twice["errors"][0]["code"] == "INVALID_TRANSITION"
    assert twice["ticket"] is None
    reject = payload(gql, "RejectTicket", {"id": ticket["id"], "reason": "dup"}, "hotline")
    assert reject["errors"][0]["code"] == "INVALID_TRANSITION"
    hq_branch = scalars(database_url, select(m.Branch.id).where(m.Branch.code == "HQ"))[0]
    to_hq = payload(
        gql,
        "DispatchTicket",
        {"id": ticket["id"], "branchId": global_id("Branch", hq_branch)},
        "hq",
    )
    assert to_hq["errors"][0]["code"] == "INVALID_BRANCH"
    # Beijing could not see this Shanghai customer, and Shanghai would lose the ticket.
    to_beijing = payload(gql, "DispatchTicket", {"id": ticket["id"], "branchId": o["BJ"]}, "hq")
    assert to_beijing["errors"][0]["code"] == "DISPATCH_OTHER_BRANCH"
    assert to_beijing["errors"][0]["field"] == "branchId"
    job = ok(payload(gql, "DispatchTicket", {"id": ticket["id"], "branchId": o["SH"]}, "clerk-sh"))
    job_id = job["job"]["id"]
    other_branch = payload(
        gql, "AssignJob", {"jobId": job_id, "technicianId": o["tech-bj-1"]}, "clerk-sh"
    )
    assert other_branch["errors"][0]["code"] == "TECHNICIAN_NOT_IN_BRANCH"
    past_start, past_end = window(days=-2)
    past = payload(
        gql,
        "AssignJob",
        {
            "jobId": job_id,
            "technicianId": o["tech-sh-1"],
            "appointmentStart": past_start,
            "appointmentEnd": past_end,
        },
        "clerk-sh",
    )
    assert past["errors"][0]["code"] == "APPOINTMENT_WINDOW_INVALID"
    assert history(gql, ticket["id"])[-1] == ("APPROVED", "DISPATCHED")

    before = scalars(database_url, select(func.count()).select_from(m.Customer))[0]
    bad_phone = payload(
        gql,
        "OpenTicket",
        {
            "input": {
                "type": "REPAIR",
                "newCustomer": {
                    "name": "王小明",
                    "phone": "12345",
                    "address": {"province": "上海市", "city": "上海市", "district": "徐汇区"},
                },
                "branchId": o["SH"],
            }
        },
        "hotline",
    )
    assert bad_phone["errors"][0]["code"] == "INVALID_PHONE"
    assert bad_phone["errors"][0]["field"] == "newCustomer.phone"
    assert scalars(database_url, select(func.count()).select_from(m.Customer))[0] == before

    no_device = payload(
        gql, "OpenTicket", {"input": {"type": "REPAIR", "customerId": o["customer"]}}, "hotline"
    )
    assert no_device["errors"][0]["code"] == "DEVICE_REQUIRED"
    both = payload(
        gql,
        "OpenTicket",
        {"input": {"type": "INQUIRY", "customerId": o["customer"], "newCustomer": None}},
        "hotline",
    )
    assert both["errors"] == []


def test_a_new_customer_calls_for_an_install(gql: GraphQL, database_url: str) -> None:
    card = scalars(
        database_url,
        select(m.AccountCard.card_number)
        .where(m.AccountCard.status == CardStatus.IN_STOCK, m.AccountCard.agent_id.is_(None))
        .order_by(m.AccountCard.card_number)
        .limit(1),
    )[0]
    active = scalars(
        database_url,
        select(m.AccountCard.card_number).where(m.AccountCard.status == CardStatus.ACTIVE).limit(1),
    )[0]
    # The model receive_machine books the machine as: an install must name it.
    first = select(m.DeviceModel.id).order_by(m.DeviceModel.code)
    model_id = global_id("DeviceModel", scalars(database_url, first)[0])
    o = ids(database_url)
    from tests.api.ticket_types_world import receive_machine

    assert receive_machine(gql, database_url, "WS-NEW-000001")["errors"] == []
    base = {
        "type": "INSTALL",
        "branchId": o["SH"],
        "newCustomer": {
            "name": "上海某某科技有限公司",
            "kind": "ORGANIZATION",
            "phone": "021-64001234",
            "contactName": "李经理",
            "address": {
                "province": "上海市",
                "city": "上海市",
                "district": "徐汇区",
                "street": "漕河泾街道",
                "community": "田林新苑",
                "building": "5号楼",
                "room": "302室",
                "latitude": 31.17,
                "longitude": 121.43,
            },
        },
    }
    taken = payload(
        gql,
        "OpenTicket",
        {
            "input": {
                **base,
                "install": {
                    "cardNumber": active,
                    "deviceModelId": model_id,
                    "serialNumber": "WS-NEW-000001",
                },
            }
        },
        "hotline",
    )
    assert taken["errors"][0]["code"] == "CARD_ALREADY_ACTIVE"
    opened = ok(
        payload(
            gql,
            "OpenTicket",
            {
                "input": {
                    **base,
                    "install": {
                        "cardNumber": card,
                        "deviceModelId": model_id,
                        "serialNumber": "WS-NEW-000001",
                    },
                }
            },
            "hotline",
        )
    )["ticket"]
    assert opened["type"] == "INSTALL"
    detail = gql.data(doc("Ticket"), {"id": opened["id"]}, as_user="clerk-sh")["ticket"]
    assert detail["customer"]["name"] == "上海某某科技有限公司"
    assert detail["address"]["fullText"] == "上海市徐汇区漕河泾街道田林新苑5号楼302室"


@pytest.mark.parametrize(
    ("user", "operation", "code"),
    [
        ("tech-sh-1", "ApproveTicket", "FORBIDDEN"),
        ("customer-1", "ApproveTicket", "FORBIDDEN"),
        ("agent-1", "CancelTicket", "FORBIDDEN"),
        ("clerk-bj", "ApproveTicket", "NOT_FOUND"),
    ],
)
def test_who_may_not_move_a_ticket(
    gql: GraphQL, database_url: str, user: str, operation: str, code: str
) -> None:
    o = ids(database_url)
    ticket = open_repair(gql, o)
    variables = (
        {"id": ticket["id"], "reason": "x"} if operation == "CancelTicket" else {"id": ticket["id"]}
    )
    response = gql.post(doc(operation), variables, as_user=user).json()
    if code == "FORBIDDEN":
        assert response["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    else:
        assert next(iter(response["data"].values()))["errors"][0]["code"] == code
    assert history(gql, ticket["id"]) == [(None, "CREATED")]


def test_engineers_move_only_their_own_jobs(gql: GraphQL, database_url: str) -> None:
    o = ids(database_url)
    _ticket_id, job_id = to_assigned(gql, o)
    other = payload(gql, "AcceptJob", {"id": job_id}, "tech-sh-2")
    assert other["errors"][0]["code"] == "NOT_FOUND"
    early = payload(gql, "ArriveOnSite", {"id": job_id}, "tech-sh-1")
    assert early["errors"][0]["code"] == "INVALID_TRANSITION"
    clerk = gql.post(doc("AcceptJob"), {"id": job_id}, as_user="clerk-sh").json()
    assert clerk["errors"][0]["extensions"]["code"] == "FORBIDDEN"
