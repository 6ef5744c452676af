"""Visits of customer-1 brought to a given step, for the tracking tests (API and browser)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.api.workflow_steps import REPAIR_REPORT, appoint, ids, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch
from wellspring.domain import models as m
from wellspring.domain.models.enums import DeviceStatus
from wellspring.schema.core.ids import global_id

STEPS = ("AcceptJob", "StartTravel", "ArriveOnSite")
# Near customer-1's Shanghai address: the engineer's fixes while on the way.
ON_THE_WAY = ((31.2000, 121.4400), (31.2150, 121.4600))


def customer_one(database_url: str) -> dict[str, str]:
    """The demo objects: customer-1's customer and a device of theirs, plus ids()."""
    customer_id = fetch(
        database_url, select(m.User.customer_id).where(m.User.username == "customer-1")
    )[0][0]
    device = fetch(
        database_url,
        select(m.Device.id)
        .where(m.Device.customer_id == customer_id, m.Device.status == DeviceStatus.INSTALLED)
        .order_by(m.Device.id)
        .limit(1),
    )[0][0]
    return {
        **ids(database_url),
        "customer": global_id("Customer", customer_id),
        "device": global_id("Device", device),
    }


def visit(gql: GraphQL, o: dict[str, str], *, upto: str | None = None) -> tuple[str, str]:
    """A repair for customer-1, appointed to tech-sh-1, then moved through the engineer's
    steps up to ``upto`` (one of STEPS, or "CompleteJob"); returns (ticket id, job id)."""
    variables: dict[str, Any] = {
        "input": {
            "type": "REPAIR",
            "customerId": o["customer"],
            "deviceId": o["device"],
            "description": "不出水",
        }
    }
    ticket = ok(payload(gql, "OpenTicket", variables, "hotline"))["ticket"]
    job_id, _start = appoint(gql, o, ticket["id"])
    for step in (*STEPS, "CompleteJob"):
        if upto is None:
            break
        if step == "CompleteJob":
            report = {"input": {"jobId": job_id, "report": REPAIR_REPORT}}
            ok(payload(gql, "CompleteJob", report, "tech-sh-1"))
        else:
            ok(payload(gql, step, {"id": job_id}, "tech-sh-1"))
        if step == upto:
            break
    return ticket["id"], job_id


def share(gql: GraphQL, ticket_id: str, user: str = "hotline") -> dict[str, Any]:
    return ok(payload(gql, "ShareTrackingLink", {"input": {"ticketId": ticket_id}}, user))


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def move_engineer(gql: GraphQL, latitude: float, longitude: float) -> None:
    variables = {"latitude": latitude, "longitude": longitude, "accuracy": 10.0}
    ok(payload(gql, "UpdateLocation", variables, "tech-sh-1"))
