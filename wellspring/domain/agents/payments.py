"""Payments an agent makes to HQ against what it owes for shipped orders (代理商回款).

HQ records a payment (``record_agent_payment``); it is allocated to the agent's unpaid shipped
orders, oldest shipment first, or wholly to one named order, raising each order's
``paid_amount``, so the credit check (``orders.credit_exposure``) counts less owed at once.

Over-payment is refused, not kept as a credit: an amount over what the agent owes (or over the
named order's unpaid part) answers ``OVERPAYMENT`` with the unpaid figure, and HQ records the
surplus once there is an order to pay. No credit balance exists to drift from the orders.

A client reference (unique per agent) makes the call idempotent: repeating it with the same
amount and order returns the payment already recorded; with different ones it is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, bounds, permissions
from ..actor import Actor
from ..clock import clock_of
from ..config import TIME_ZONE
from ..errors import DomainError
from ..masterdata import fields
from ..models import Agent, AgentOrder, AgentPayment
from ..models.enums import AgentOrderStatus, AgentPaymentMethod
from ..pagination import Page, SortKey, paginate
from .scopes import agent_payments_scope

MAX_AMOUNT = Decimal("9999999999.99")  # Numeric(12, 2)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PaymentRequest:
    agent_id: str
    amount: Decimal
    paid_at: dt.datetime
    method: AgentPaymentMethod
    client_reference: str
    reference: str = ""
    order_id: str | None = None
    note: str = ""


def _checked_amount(value: Decimal) -> Decimal:
    amount = fields.amount(value, "amount")  # not negative, in whole fen
    if not amount.is_finite() or amount == 0 or amount > MAX_AMOUNT:
        raise DomainError("VALUE_OUT_OF_RANGE", field="amount", minimum=CENT, maximum=MAX_AMOUNT)
    return amount.quantize(CENT)


async def _unpaid_orders(
    session: AsyncSession, agent_id: str, order_id: str | None
) -> list[AgentOrder]:
    """The agent's shipped orders with something unpaid, oldest shipment first (locked)."""
    stmt = (
        select(AgentOrder)
        .where(
            AgentOrder.agent_id == agent_id,
            AgentOrder.status == AgentOrderStatus.SHIPPED,
            AgentOrder.deleted_at.is_(None),
            AgentOrder.paid_amount < AgentOrder.total,
        )
        .order_by(AgentOrder.shipped_at, AgentOrder.id)
        .with_for_update()
    )
    if order_id is not None:
        stmt = stmt.where(AgentOrder.id == order_id)
    return list((await session.execute(stmt)).scalars())


async def _named_order(session: AsyncSession, agent_id: str, order_id: str) -> None:
    order = await session.get(AgentOrder, order_id)
    if order is None or order.deleted_at is not None or order.agent_id != agent_id:
        raise DomainError("NOT_FOUND", field="order_id")
    if order.status is not AgentOrderStatus.SHIPPED or order.paid_amount >= order.total:
        raise DomainError("ORDER_NOT_PAYABLE", field="order_id", status=order.status.value)


def _same(payment: AgentPayment, request: PaymentRequest, amount: Decimal) -> bool:
    return payment.amount == amount and payment.order_id == request.order_id


async def record_agent_payment(
    session: AsyncSession, actor: Actor, *, request: PaymentRequest
) -> AgentPayment:
    permissions.check(actor, "agent_payment.record")
    agent = await fields.existing(session, Agent, request.agent_id, "agent_id")
    amount = _checked_amount(request.amount)
    client_reference = fields.text(request.client_reference, "client_reference", maximum=64)
    bounds.check_day(request.paid_at.date(), "paid_at")
    now = clock_of(session).now()
    if request.paid_at.tzinfo is None or request.paid_at > now + dt.timedelta(minutes=5):
        # (no money is received in the future; a time without its zone is no time)
        raise DomainError(
            "VALUE_OUT_OF_RANGE",
            field="paid_at",
            minimum=bounds.EARLIEST_DAY.isoformat(),
            maximum=now.astimezone(TIME_ZONE).strftime("%Y-%m-%d %H:%M"),
        )
    # One payment at a time per agent (a row lock on PostgreSQL; SQLite serialises writers),
    # so a retry racing its original finds it, and two payments never split one balance.
    await session.execute(select(Agent.id).where(Agent.id == agent.id).with_for_update())
    earlier = (
        await session.execute(
            select(AgentPayment).where(
                AgentPayment.agent_id == agent.id,
                AgentPayment.client_reference == client_reference,
            )
        )
    ).scalar_one_or_none()
    if earlier is not None:
        if not _same(earlier, request, amount):
            raise DomainError("PAYMENT_REFERENCE_REUSED", field="client_reference")
        return earlier
    if request.order_id is not None:
        await _named_order(session, agent.id, request.order_id)
    orders = await _unpaid_orders(session, agent.id, request.order_id)
    unpaid = sum((o.total - o.paid_amount for o in orders), Decimal("0"))
    if amount > unpaid:
        raise DomainError("OVERPAYMENT", field="amount", unpaid=str(unpaid.quantize(CENT)))
    allocations: list[dict[str, str]] = []
    left = amount
    for order in orders:
        if left <= 0:
            break
        share = min(left, order.total - order.paid_amount)
        order.paid_amount = order.paid_amount + share
        left -= share
        allocations.append({"order_id": order.id, "number": order.number, "amount": str(share)})
    payment = AgentPayment(
        agent_id=agent.id,
        amount=amount,
        currency=agent.currency,
        paid_at=request.paid_at,
        method=request.method,
        reference=fields.text(request.reference, "reference", maximum=64, required=False),
        client_reference=client_reference,
        order_id=request.order_id,
        allocations=allocations,
        note=fields.text(request.note, "note", maximum=500, required=False),
        recorded_by_id=actor.user_id or None,
    )
    session.add(payment)
    await session.flush()
    audit.record(
        session,
        actor,
        "agent_payment.recorded",
        entity_type="AgentPayment",
        entity_id=payment.id,
        agent_id=agent.id,
        amount=str(amount),
        orders=[a["number"] for a in allocations],
    )
    return payment


async def payments_page(
    session: AsyncSession,
    actor: Actor,
    *,
    agent_id: str | None,
    first: int | None,
    after: str | None,
) -> Page[AgentPayment]:
    """Payments, newest first: HQ all (or one agent's), an agent its own."""
    permissions.check(actor, "agent_payments.list")
    stmt = select(AgentPayment).where(
        agent_payments_scope(actor), AgentPayment.deleted_at.is_(None)
    )
    if agent_id is not None:
        stmt = stmt.where(AgentPayment.agent_id == agent_id)
    return await paginate(
        session,
        stmt,
        order=(SortKey(AgentPayment.paid_at), SortKey(AgentPayment.id)),
        first=first,
        after=after,
        row_key=lambda p: (p.paid_at, p.id),
    )
