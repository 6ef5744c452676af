"""An agent's purchase of machines, cards and parts from HQ (代理商订货): placed by the agent,
confirmed by HQ (which also approves an order over the agent's credit), shipped from an HQ
warehouse into the agent's: parts through the stock ledger, machines by serial number and
cards by number, so HQ knows which agent holds which machine and which card.

Credit: what the agent owes or has on order (open orders plus the unpaid part of shipped
ones) and the new order together may not pass its credit limit without HQ's approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, bounds, numbering, permissions, policy
from ..actor import Actor
from ..clock import clock_of
from ..errors import DomainError
from ..masterdata import fields
from ..models import Agent, AgentOrder, AgentOrderLine, DeviceModel, Part
from ..models.enums import (
    AGENT_ORDER_OPEN_STATUSES,
    AgentOrderItem,
    AgentOrderStatus,
    PriceKind,
    Role,
)
from ..pagination import Page, SortKey, paginate
from . import dealers, territory
from .price_lookup import price_for

ORDER = ("agent_order_number", "AO")
MAX_LINES = 50
MAX_QUANTITY = 10_000
_PRICE_KIND = {
    AgentOrderItem.MACHINE: PriceKind.DEALER_MACHINE,
    AgentOrderItem.PART: PriceKind.DEALER_PART,
    AgentOrderItem.CARD: PriceKind.DEALER_CARD,
}


@dataclass(frozen=True)
class OrderLineRequest:
    item: AgentOrderItem
    quantity: int
    device_model_id: str | None = None
    part_id: str | None = None


async def credit_exposure(session: AsyncSession, agent_id: str) -> Decimal:
    """What the agent has on order (open orders) plus what it owes (shipped, unpaid)."""
    open_total = await session.scalar(
        select(func.coalesce(func.sum(AgentOrder.total), 0)).where(
            AgentOrder.agent_id == agent_id, AgentOrder.status.in_(AGENT_ORDER_OPEN_STATUSES)
        )
    )
    unpaid = await session.scalar(
        select(func.coalesce(func.sum(AgentOrder.total - AgentOrder.paid_amount), 0)).where(
            AgentOrder.agent_id == agent_id, AgentOrder.status == AgentOrderStatus.SHIPPED
        )
    )
    return Decimal(open_total or 0) + Decimal(unpaid or 0)


async def _ordering_agent(session: AsyncSession, actor: Actor, agent_id: str | None) -> Agent:
    """The agent the order is for, active, read with its row held until the transaction ends
    (``dealers.held_agent``): one order at a time per agent, so two at once cannot both slip
    under the credit limit, and each decides on the credit limit and state an edit of the
    agent committed meanwhile (it read them stale, before the lock, and placed an order over
    a lowered limit without approval, or for a deactivated agent)."""
    if actor.role is Role.AGENT:
        own = await dealers.own_agent(session, actor, lock=True)
        if agent_id is not None and agent_id != own.id:  # another agent's reads as missing
            raise DomainError("NOT_FOUND", field="agent_id", id_value=agent_id)
        return own
    if agent_id is None:
        raise DomainError("REQUIRED", field="agent_id")
    return await dealers.held_agent(session, agent_id)


async def _priced_line(
    session: AsyncSession, agent: Agent, index: int, line: OrderLineRequest
) -> AgentOrderLine:
    field = f"lines.{index}"
    bounds.check_quantity(line.quantity, f"{field}.quantity", maximum=MAX_QUANTITY)
    item_id, list_price = "", Decimal("0")
    if line.item is AgentOrderItem.MACHINE:
        if line.device_model_id is None or line.part_id is not None:
            raise DomainError("INVALID_ORDER_LINE", field=f"{field}.device_model_id")
        model = await fields.existing(
            session, DeviceModel, line.device_model_id, f"{field}.device_model_id"
        )
        item_id, list_price = model.id, model.list_price
    elif line.item is AgentOrderItem.PART:
        if line.part_id is None or line.device_model_id is not None:
            raise DomainError("INVALID_ORDER_LINE", field=f"{field}.part_id")
        part = await fields.existing(session, Part, line.part_id, f"{field}.part_id")
        if not part.is_active:
            raise DomainError("INVALID_ORDER_LINE", field=f"{field}.part_id")
        item_id, list_price = part.id, part.list_price
    elif line.device_model_id is not None or line.part_id is not None:
        raise DomainError("INVALID_ORDER_LINE", field=field)
    standard = await price_for(
        session,
        kind=_PRICE_KIND[line.item],
        region=await territory.region_of(session, agent),
        at=clock_of(session).now(),
        item_id=item_id,
    )
    unit = standard.price if standard is not None else list_price
    return AgentOrderLine(
        position=index,
        item=line.item,
        device_model_id=line.device_model_id,
        part_id=line.part_id,
        quantity=line.quantity,
        unit_price=unit,
        amount=unit * line.quantity,
        price_standard_id=standard.id if standard is not None else None,
        shipped=[],
    )


async def place_agent_order(
    session: AsyncSession,
    actor: Actor,
    *,
    lines: Sequence[OrderLineRequest],
    note: str = "",
    agent_id: str | None = None,
) -> AgentOrder:
    """An agent's order (HQ may place one for an agent), priced from the price standards
    (the agent's region) or the list prices; flagged for approval when over credit."""
    permissions.check(actor, "agent_order.place")
    # Held (a row lock on PostgreSQL; SQLite's writers are serialised already) and re-read.
    agent = await _ordering_agent(session, actor, agent_id)
    if not lines:
        raise DomainError("REQUIRED", field="lines")
    if len(lines) > MAX_LINES:
        raise DomainError("TOO_MANY_ITEMS", field="lines", maximum=MAX_LINES)
    priced = [await _priced_line(session, agent, i, line) for i, line in enumerate(lines)]
    total = sum((line.amount for line in priced), Decimal("0"))
    exposure = await credit_exposure(session, agent.id)
    now = clock_of(session).now()
    order = AgentOrder(
        number=await numbering.next_number(session, ORDER),
        agent_id=agent.id,
        status=AgentOrderStatus.SUBMITTED,
        total=total,
        paid_amount=Decimal("0"),
        currency=agent.currency,
        needs_approval=exposure + total > agent.credit_limit,
        credit_exposure=exposure,
        note=fields.text(note, "note", maximum=500, required=False),
        placed_by_id=actor.user_id or None,
        placed_at=now,
    )
    session.add(order)
    await session.flush()
    for line in priced:
        line.order_id = order.id
        session.add(line)
    await session.flush()
    audit.record(
        session,
        actor,
        "agent_order.placed",
        entity_type="AgentOrder",
        entity_id=order.id,
        agent_id=agent.id,
        total=str(total),
        needs_approval=order.needs_approval,
    )
    return order


async def visible_order(
    session: AsyncSession, actor: Actor, order_id: str, *, lock: bool = False
) -> AgentOrder:
    stmt = select(AgentOrder).where(
        AgentOrder.id == order_id, policy.agent_orders_scope(actor), AgentOrder.deleted_at.is_(None)
    )
    order = (await session.execute(stmt.with_for_update() if lock else stmt)).scalar_one_or_none()
    if order is None:
        raise DomainError("NOT_FOUND", field="id")
    return order


async def confirm_agent_order(
    session: AsyncSession, actor: Actor, *, order_id: str, approve_over_credit: bool = False
) -> AgentOrder:
    """HQ accepts a submitted order; one over the agent's credit needs the approval flag."""
    permissions.check(actor, "agent_order.confirm")
    order = await visible_order(session, actor, order_id, lock=True)
    if order.status is not AgentOrderStatus.SUBMITTED:
        raise DomainError("AGENT_ORDER_NOT_OPEN", field="id", status=order.status.value)
    if order.needs_approval and not approve_over_credit:
        raise DomainError("CREDIT_APPROVAL_REQUIRED", field="approve_over_credit")
    now = clock_of(session).now()
    order.status = AgentOrderStatus.CONFIRMED
    order.confirmed_by_id, order.confirmed_at = actor.user_id or None, now
    if order.needs_approval:
        order.approved_by_id = actor.user_id or None
    await session.flush()
    audit.record(
        session,
        actor,
        "agent_order.confirmed",
        entity_type="AgentOrder",
        entity_id=order.id,
        approved_over_credit=order.needs_approval,
    )
    return order


async def cancel_agent_order(
    session: AsyncSession, actor: Actor, *, order_id: str, reason: str
) -> AgentOrder:
    """The agent withdraws its order before HQ confirms it; HQ cancels one not shipped."""
    permissions.check(actor, "agent_order.cancel")
    order = await visible_order(session, actor, order_id, lock=True)
    cancellable = (
        {AgentOrderStatus.SUBMITTED} if actor.role is Role.AGENT else AGENT_ORDER_OPEN_STATUSES
    )
    if order.status not in cancellable:
        raise DomainError("AGENT_ORDER_NOT_OPEN", field="id", status=order.status.value)
    order.cancel_reason = fields.text(reason, "reason", maximum=500)
    order.status = AgentOrderStatus.CANCELLED
    await session.flush()
    audit.record(
        session, actor, "agent_order.cancelled", entity_type="AgentOrder", entity_id=order.id
    )
    return order


async def lines_of(session: AsyncSession, order_ids: Sequence[str]) -> list[AgentOrderLine]:
    """The lines of orders already read in scope, in their order."""
    return list(
        (
            await session.execute(
                select(AgentOrderLine)
                .where(AgentOrderLine.order_id.in_(order_ids))
                .order_by(AgentOrderLine.order_id, AgentOrderLine.position)
            )
        ).scalars()
    )


async def orders_page(
    session: AsyncSession,
    actor: Actor,
    *,
    agent_id: str | None,
    status: AgentOrderStatus | None,
    first: int | None,
    after: str | None,
) -> Page[AgentOrder]:
    """Orders, newest first: HQ sees all (or one agent's), an agent its own."""
    permissions.check(actor, "agent_orders.list")
    stmt = select(AgentOrder).where(
        policy.agent_orders_scope(actor), AgentOrder.deleted_at.is_(None)
    )
    if agent_id is not None:
        stmt = stmt.where(AgentOrder.agent_id == agent_id)
    if status is not None:
        stmt = stmt.where(AgentOrder.status == status)
    return await paginate(
        session,
        stmt,
        order=(SortKey(AgentOrder.placed_at), SortKey(AgentOrder.id)),
        first=first,
        after=after,
        row_key=lambda o: (o.placed_at, o.id),
    )
