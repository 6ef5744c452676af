"""A branch of its own for the tests of numbers without bounds: its clerk, a station
warehouse, an engineer with a stocked van and jobs on site, a new part; nothing another test
counts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tests.conftest import GraphQL
from tests.dispatch_site import (
    PLACES,
    Site,
    _session_do,
    add_job,
    add_technician,
    live_device,
    make_branch,
    run,
    signed_in,
    stock_van,
)
from tests.factories import unique
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.inventory import ledger
from wellspring.domain.models.enums import (
    JobStatus,
    LedgerKind,
    MovementKind,
    MovementStatus,
    StockBin,
    TicketType,
    WarehouseKind,
)
from wellspring.schema.core.ids import global_id

COMPLETE = """mutation($input: JobCompleteInput!) {
  completeJob(input: $input) { job { status } errors { field code message } } }"""
MOVE = """mutation($input: StockMoveInput!) {
  moveStock(input: $input) { movement { id status } errors { field code message } } }"""
CONSUME = """mutation($input: PartsConsumeInput!) {
  consumeParts(input: $input) { entries { delta } errors { field code message } } }"""
OPEN = """mutation($input: TicketOpenInput!) {
  openTicket(input: $input) { ticket { id } errors { field code message } } }"""
ORDER = """mutation($input: PlaceAgentOrderInput!) {
  placeAgentOrder(input: $input) { order { id } errors { field code message } } }"""
CHECK = """mutation($id: ID!, $c: [OldPartCountInput!]!) { checkOldParts(id: $id, counts: $c) {
  movement { status } errors { field code message } } }"""
UPSERT_PART = """mutation($input: PartInput!) {
  upsertPart(input: $input) { part { id cost { amount } } errors { field code message } } }"""


@dataclass
class Bounds:
    site: Site
    clerk: str  # signed in
    engineer: str  # signed in
    warehouse: str  # the branch's station (global id)
    warehouse_id: str
    part: str  # a new part (global id), in the engineer's van
    part_id: str


def _station(site: Site) -> str:
    async def work(session: Any) -> str:
        row = m.Warehouse(
            code=unique("WHB").upper()[:32],
            name="界限测试仓",
            kind=WarehouseKind.REPAIR_STATION,
            branch_id=site.branch_id,
        )
        session.add(row)
        await session.flush()
        return str(row.id)

    return str(run(_session_do(site.url, work)))


def new_part(url: str) -> str:
    async def work(session: Any) -> str:
        row = m.Part(sku=unique("BND").upper()[:32], name="界限配件")
        session.add(row)
        await session.flush()
        return str(row.id)

    return str(run(_session_do(url, work)))


def bounds_site(gql: GraphQL, database_url: str) -> Bounds:
    site = make_branch(database_url)
    add_technician(site, "c", home=PLACES["people_square"])
    part_id = new_part(database_url)
    stock_van(site, "c", part_id, 5)
    station = _station(site)
    return Bounds(
        site=site,
        clerk=signed_in(gql, site.clerk),
        engineer=signed_in(gql, site.usernames["c"]),
        warehouse=global_id("Warehouse", station),
        warehouse_id=station,
        part=global_id("Part", part_id),
        part_id=part_id,
    )


def job_on_site(b: Bounds, kind: TicketType = TicketType.REPAIR) -> str:
    """A new job of the engineer's, on site (a global id)."""
    name = unique("j")
    device = live_device(b.site.url)
    add_job(
        b.site, name, at=PLACES["jingan"], technician="c", status=JobStatus.ON_SITE, kind=kind,
        device_id=device,
    )  # fmt: skip
    return global_id("Job", b.site.jobs[name])


def set_balance(warehouse_id: str, part_id: str, quantity: int, url: str) -> None:
    """Bring a balance of the good bin to ``quantity`` (a receipt the API would refuse: the
    ledger takes any delta up to the balance's bound)."""

    async def work(session: Any) -> None:
        held = await ledger.available(session, warehouse_id, part_id)
        await ledger.post(
            session,
            SYSTEM,
            warehouse_id=warehouse_id,
            part_id=part_id,
            bin_=StockBin.GOOD,
            delta=quantity - held,
            kind=LedgerKind.RECEIPT,
        )

    run(_session_do(url, work))


def old_part_return(b: Bounds, quantity: int) -> str:
    """An old-part return of the new part in transit from the station to a repair center."""

    async def work(session: Any) -> str:
        center = await session.scalar(
            select(m.Warehouse.id).where(m.Warehouse.kind == WarehouseKind.REPAIR_CENTER).limit(1)
        )
        row = m.StockMovement(
            number=unique("MB")[:32],
            kind=MovementKind.OLD_PART_RETURN,
            status=MovementStatus.IN_TRANSIT,
            from_warehouse_id=b.warehouse_id,
            to_warehouse_id=center,
            lines=[{"part_id": b.part_id, "bin": "DEFECTIVE", "quantity": quantity}],
        )
        session.add(row)
        await session.flush()
        return str(row.id)

    return global_id("StockMovement", str(run(_session_do(b.site.url, work))))


def post_raw(gql: GraphQL, query: str, variables: dict[str, Any], user: str) -> Any:
    """A request with the variables as Python's json writes them: NaN and Infinity included
    (a client's JSON library may send them; the test client's refuses to)."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    headers = {
        "Content-Type": "application/json",
        "Accept-Language": "zh-CN",
        "Authorization": f"Bearer {gql.token(user)}",
    }
    return gql.client.post("/graphql", content=body, headers=headers)


def no_fault(response: Any) -> dict[str, Any]:
    """The answer, after proving it is no fault of ours: no 5xx, no INTERNAL_ERROR."""
    assert response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    for field in (body.get("data") or {}).values():
        if isinstance(field, dict):
            codes += [e.get("code") for e in field.get("errors") or []]
    assert "INTERNAL_ERROR" not in codes, body
    return body
