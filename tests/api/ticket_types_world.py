"""What the ticket-type tests share: a Shanghai device of a supply mode, a machine received
into stock, a visit walked through to its end, and the raw ids behind global ones."""

from __future__ import annotations

from typing import Any

from graphql_relay import from_global_id
from sqlalchemy import select

from tests.api.workflow_steps import appoint, ids, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, scalars
from wellspring.domain import models as m
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
    job_id, _start = appoint(gql, o, ticket["id"], approver=approver)
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
