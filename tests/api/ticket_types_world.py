"""What the ticket-type tests share: a Shanghai device of a supply mode, a machine received
into stock, a visit walked through to its end, and the raw ids behind global ones."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import inspect, select

from tests.api.workflow_steps import appoint, ids, ok, payload
from tests.conftest import GraphQL, run
from tests.factories import fetch, raw_id, scalars, unique
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models.enums import (
    TICKET_OPEN_STATUSES,
    CardStatus,
    DeviceStatus,
    OwnerKind,
    SupplyMode,
)
from wellspring.schema.core.ids import global_id


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
    free = next(((d, c) for d, c in rows if d not in used), None)
    # The demo holds a few dozen of each kind; tests run in an unusual order can use them all.
    device, customer = free or run(_twin(database_url, rows[0][0], with_card=with_card))
    return global_id("Device", device), global_id("Customer", customer)


# Columns a twin gets afresh rather than from the device (or card) it copies.
_FRESH = {"id", "created_at", "updated_at", "version", "deleted_at", "serial_number", "card_number"}


def _columns(row: Any, **fresh: Any) -> dict[str, Any]:
    kept = {a.key: getattr(row, a.key) for a in inspect(type(row)).column_attrs}
    return {k: v for k, v in kept.items() if k not in _FRESH} | fresh


async def _twin(database_url: str, device_id: str, *, with_card: bool) -> tuple[str, str]:
    """A new device like ``device_id`` (same customer, site, model and supply), with an active
    card like its own when asked: no ticket has ever named it."""
    engine = create_engine(database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            source = await session.get_one(m.Device, device_id)
            twin = m.Device(**_columns(source, serial_number=unique("SN")))
            session.add(twin)
            await session.flush()
            if with_card:
                card = (
                    await session.scalars(
                        select(m.AccountCard).where(
                            m.AccountCard.device_id == device_id,
                            m.AccountCard.status == CardStatus.ACTIVE,
                        )
                    )
                ).one()
                number = str(uuid.uuid4().int)[:16]
                session.add(m.AccountCard(**_columns(card, card_number=number, device_id=twin.id)))
            assert twin.customer_id is not None
            return twin.id, twin.customer_id
    finally:
        await engine.dispose()


def device_row(database_url: str, gid: str) -> Any:
    return fetch(database_url, select(m.Device).where(m.Device.id == raw_id(gid)))[0][0]


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


def on_site(gql: GraphQL, o: dict[str, str], opened: dict[str, Any]) -> str:
    """The job of a ticket opened with ``opened`` by the hotline, approved, dispatched to
    Shanghai and assigned to tech-sh-1, who is now on site: its id."""
    ticket = ok(payload(gql, "OpenTicket", {"input": opened}, "hotline"))["ticket"]
    ok(payload(gql, "ApproveTicket", {"id": ticket["id"]}, "hotline"))
    job = ok(payload(gql, "DispatchTicket", {"id": ticket["id"], "branchId": o["SH"]}, "clerk-sh"))
    job_id = str(job["job"]["id"])
    ok(payload(gql, "AssignJob", {"jobId": job_id, "technicianId": o["tech-sh-1"]}, "clerk-sh"))
    for operation in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, operation, {"id": job_id}, "tech-sh-1"))
    return job_id
