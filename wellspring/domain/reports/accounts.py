"""Account cards opened, active and cancelled; recharges and supply expiring (the revenue)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, Numeric, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..actor import Actor
from ..models import AccountCard, Device, Ticket
from ..models.enums import CardStatus, DeviceStatus, SupplyMode, TicketType
from ..tickets import FINISHED
from . import scope
from .period import period_of, within
from .service import tickets_in


@dataclass(frozen=True)
class CardsRow:
    branch_id: str
    opened: int  # activated in the period
    cancelled: int  # cancelled (退卡) in the period
    active: int  # bound now


@dataclass(frozen=True)
class RechargesRow:
    branch_id: str
    plan: str  # MONTHLY (months bought) or BUCKETS (buckets bought)
    recharges: int
    quantity: int
    amount: Decimal


@dataclass(frozen=True)
class ExpiringRow:
    branch_id: str
    devices: int  # monthly-plan installed devices whose supply ends in the period


async def cards(
    session: AsyncSession,
    actor: Actor,
    *,
    branch_id: str | None,
    first: dt.date,
    last: dt.date,
) -> list[CardsRow]:
    period = period_of(session, actor, branch_id=branch_id, first=first, last=last)
    activated = AccountCard.activated_at.is_not(None) & within(AccountCard.activated_at, period)
    cancelled = AccountCard.cancelled_at.is_not(None) & within(AccountCard.cancelled_at, period)
    condition = and_(scope.cards(actor), AccountCard.deleted_at.is_(None))
    if period.branch_id is not None:
        condition = condition & (AccountCard.branch_id == period.branch_id)
    counts = (
        func.sum(case((activated, 1), else_=0)),
        func.sum(case((cancelled, 1), else_=0)),
        func.sum(case((AccountCard.status == CardStatus.ACTIVE, 1), else_=0)),
    )
    rows = await session.execute(
        select(AccountCard.branch_id, *counts)
        .where(condition, activated | cancelled | (AccountCard.status == CardStatus.ACTIVE))
        .group_by(AccountCard.branch_id)
        .order_by(AccountCard.branch_id)
    )
    return [CardsRow(b, int(o or 0), int(c or 0), int(a or 0)) for b, o, c, a in rows]


async def recharges(
    session: AsyncSession,
    actor: Actor,
    *,
    branch_id: str | None,
    first: dt.date,
    last: dt.date,
) -> list[RechargesRow]:
    """Recharges whose work was done in the period, by branch and plan, with the amount paid."""
    period = period_of(session, actor, branch_id=branch_id, first=first, last=last)
    plan = Ticket.details[("recharge", "plan")].as_string()
    # Summed as BIGINT: a total of many rows may pass a 32-bit integer (the API's BigInt).
    quantity = cast(Ticket.details[("recharge", "quantity")].as_integer(), BigInteger)
    price = cast(Ticket.details[("recharge", "unit_price")].as_string(), Numeric(12, 2))
    rows = await session.execute(
        select(
            Ticket.branch_id,
            plan,
            func.count(Ticket.id),
            func.sum(quantity),
            func.sum(quantity * price),
        )
        .where(
            tickets_in(actor, period),
            Ticket.type == TicketType.RECHARGE,
            Ticket.status.in_(FINISHED),
            Ticket.completed_at.is_not(None),
            within(Ticket.completed_at, period),
        )
        .group_by(Ticket.branch_id, plan)
        .order_by(Ticket.branch_id, plan)
    )
    return [
        RechargesRow(
            b, str(p or ""), int(n), int(q or 0), Decimal(a or 0).quantize(Decimal("0.01"))
        )
        for b, p, n, q, a in rows
    ]


async def supply_expiring(
    session: AsyncSession,
    actor: Actor,
    *,
    branch_id: str | None,
    first: dt.date,
    last: dt.date,
) -> list[ExpiringRow]:
    """Monthly-plan devices, installed now, whose supply ends on a day of the period."""
    period = period_of(session, actor, branch_id=branch_id, first=first, last=last)
    condition = and_(
        scope.devices(actor),
        Device.deleted_at.is_(None),
        Device.status == DeviceStatus.INSTALLED,
        Device.supply_mode == SupplyMode.MONTHLY,
        Device.supply_expires_on >= period.first,
        Device.supply_expires_on <= period.last,
    )
    if period.branch_id is not None:
        condition = condition & (Device.branch_id == period.branch_id)
    rows = await session.execute(
        select(Device.branch_id, func.count(Device.id))
        .where(condition)
        .group_by(Device.branch_id)
        .order_by(Device.branch_id)
    )
    return [ExpiringRow(b, int(n)) for b, n in rows]
