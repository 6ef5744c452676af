"""The workflow's steps as the clients send them: a client document by name, the demo's ids,
a mutation's payload, and tickets brought to a state; shared by the API tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.conftest import GraphQL
from tests.factories import fetch
from wellspring.domain import models as m
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.models.enums import DeviceStatus, OwnerKind
from wellspring.schema.core.ids import global_id

CLIENTS = Path(__file__).resolve().parents[2] / "clients"


REPAIR_REPORT = {"faultSymptom": "不出水", "faultCode": "E02", "repairLevel": "LEVEL_1"}


def doc(name: str) -> str:
    return next(CLIENTS.glob(f"*/{name}.graphql")).read_text(encoding="utf-8")


def ids(database_url: str) -> dict[str, str]:
    """Global ids of the demo objects the scenarios use."""
    branch = dict(fetch(database_url, select(m.Branch.code, m.Branch.id)))
    users = dict(fetch(database_url, select(m.User.username, m.User.id)))
    techs = dict(fetch(database_url, select(m.Technician.user_id, m.Technician.id)))
    device, customer = fetch(
        database_url,
        select(m.Device.id, m.Device.customer_id)
        .join(m.Customer, m.Customer.id == m.Device.customer_id)
        .join(m.DeviceModel, m.DeviceModel.id == m.Device.device_model_id)
        .where(
            m.Customer.branch_id == branch["SH"],
            m.Customer.owner_kind == OwnerKind.BRANCH,
            m.Device.status == DeviceStatus.INSTALLED,
            # A demo model every van part fits: a device another test made with a model of
            # its own may sort first by id (random), and the parts scenarios would fail.
            m.DeviceModel.code.in_(("WS-100", "WS-500")),
        )
        .order_by(m.Device.id)
        .limit(1),
    )[0]
    return {
        "SH": global_id("Branch", branch["SH"]),
        "BJ": global_id("Branch", branch["BJ"]),
        "tech-sh-1": global_id("Technician", techs[users["tech-sh-1"]]),
        "tech-sh-2": global_id("Technician", techs[users["tech-sh-2"]]),
        "tech-bj-1": global_id("Technician", techs[users["tech-bj-1"]]),
        "customer": global_id("Customer", customer),
        "device": global_id("Device", device),
    }


def payload(gql: GraphQL, name: str, variables: dict[str, Any], user: str) -> dict[str, Any]:
    # The scenarios pile tickets and windows on the same demo device and engineer: the duplicate
    # and shift rules have their own tests (test_day_rules.py) and are waived here unless a
    # call sets the flag itself.
    if name == "OpenTicket" and isinstance(variables.get("input"), dict):
        variables = {**variables, "input": {"allowDuplicate": True, **variables["input"]}}
    if name == "AssignJob":
        variables = {"allowOutsideShift": True, **variables}
    data = gql.data(doc(name), variables, as_user=user)
    return next(iter(data.values()))


def ok(result: dict[str, Any]) -> dict[str, Any]:
    assert result["errors"] == [], result["errors"]
    return result


def window(days: int = 1) -> tuple[str, str]:
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=days)
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI)
    return start.isoformat(), (start + dt.timedelta(hours=2)).isoformat()


def open_repair(gql: GraphQL, o: dict[str, str], **extra: Any) -> dict[str, Any]:
    variables = {
        "input": {
            "type": "REPAIR",
            "customerId": o["customer"],
            "deviceId": o["device"],
            "description": "漏水 / leaking",
            "priority": "HIGH",
            **extra,
        }
    }
    return ok(payload(gql, "OpenTicket", variables, "hotline"))["ticket"]


def appoint(
    gql: GraphQL,
    o: dict[str, str],
    ticket_id: str,
    *,
    approver: str = "hotline",
    tech: str = "tech-sh-1",
) -> tuple[str, str]:
    """Approve an open ticket, dispatch it to Shanghai and appoint ``tech`` tomorrow between
    10:00 and 12:00: (the job's id, the appointment's start)."""
    ok(payload(gql, "ApproveTicket", {"id": ticket_id}, approver))
    job = ok(payload(gql, "DispatchTicket", {"id": ticket_id, "branchId": o["SH"]}, "clerk-sh"))
    job_id = str(job["job"]["id"])
    start, end = window()
    variables = {
        "jobId": job_id,
        "technicianId": o[tech],
        "appointmentStart": start,
        "appointmentEnd": end,
    }
    ok(payload(gql, "AssignJob", variables, "clerk-sh"))
    return job_id, start


def to_assigned(gql: GraphQL, o: dict[str, str], tech: str = "tech-sh-1") -> tuple[str, str]:
    ticket = open_repair(gql, o)
    job_id, _start = appoint(gql, o, ticket["id"], tech=tech)
    return ticket["id"], job_id


def history(gql: GraphQL, ticket_id: str) -> list[tuple[str | None, str]]:
    ticket = gql.data(doc("Ticket"), {"id": ticket_id}, as_user="hq")["ticket"]
    return [(h["from"], h["to"]) for h in ticket["history"]]
