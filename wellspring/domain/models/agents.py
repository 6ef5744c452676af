"""A dealer's purchase orders from HQ, the territory conflicts logged for HQ, and the price
standards (价格标准) recharges, orders and settlements are priced from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record
from .enums import (
    AgentOrderItem,
    AgentOrderStatus,
    AgentPaymentMethod,
    ConflictKind,
    PriceKind,
    enum_column,
)


class AgentOrder(Record, Base):
    """An agent's purchase of machines, cards and parts from HQ (代理商订货)."""

    __tablename__ = "agent_orders"
    number: Mapped[str] = mapped_column(String(32), unique=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"), index=True)
    status: Mapped[AgentOrderStatus] = mapped_column(enum_column(AgentOrderStatus), index=True)
    total: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    paid_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    # Over the credit limit when placed (open orders + unpaid balance + this one): HQ approves.
    needs_approval: Mapped[bool] = mapped_column(default=False)
    credit_exposure: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    note: Mapped[str] = mapped_column(String(500), default="")
    placed_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    placed_at: Mapped[dt.datetime]
    confirmed_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    approved_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    shipped_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    shipped_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    from_warehouse_id: Mapped[str | None] = mapped_column(ForeignKey("warehouses.id"), default=None)
    to_warehouse_id: Mapped[str | None] = mapped_column(ForeignKey("warehouses.id"), default=None)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")


class AgentOrderLine(Record, Base):
    """One line: a device model, cards or a part, its quantity and the price that applied."""

    __tablename__ = "agent_order_lines"
    order_id: Mapped[str] = mapped_column(ForeignKey("agent_orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    item: Mapped[AgentOrderItem] = mapped_column(enum_column(AgentOrderItem))
    device_model_id: Mapped[str | None] = mapped_column(
        ForeignKey("device_models.id"), default=None
    )
    part_id: Mapped[str | None] = mapped_column(ForeignKey("parts.id"), default=None)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    price_standard_id: Mapped[str | None] = mapped_column(
        ForeignKey("price_standards.id"), default=None
    )
    # What went out: machine serial numbers or card numbers (parts go by the ledger).
    shipped: Mapped[list[str]] = mapped_column(JSON, default=list)


class TerritoryConflict(Record, Base):
    """A request an agent made for a customer or place not its own, refused and kept for HQ."""

    __tablename__ = "territory_conflicts"
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"), index=True)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    kind: Mapped[ConflictKind] = mapped_column(enum_column(ConflictKind))
    operation: Mapped[str] = mapped_column(String(48))  # e.g. ticket.open:RECHARGE
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), default=None)
    # The owner the customer has: a branch for a direct customer, else another agent.
    owner_branch_id: Mapped[str | None] = mapped_column(ForeignKey("branches.id"), default=None)
    owner_agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(index=True)


class PriceStandard(Record, Base):
    """A price that holds for a kind (and item) in a region from one day until another.

    The key is (kind, item, province, city): an empty city covers the province, an empty
    province the whole country. Periods of one key never overlap (``domain/agents/prices``).
    """

    __tablename__ = "price_standards"
    __table_args__ = (
        Index("ix_price_standards_key", "kind", "item_id", "province", "city", "effective_from"),
    )
    kind: Mapped[PriceKind] = mapped_column(enum_column(PriceKind))
    item_id: Mapped[str] = mapped_column(String(36), default="")  # a device model or part id
    province: Mapped[str] = mapped_column(String(50), default="")
    city: Mapped[str] = mapped_column(String(50), default="")
    price: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    effective_from: Mapped[dt.date] = mapped_column(Date)
    effective_to: Mapped[dt.date | None] = mapped_column(Date, default=None)  # exclusive
    note: Mapped[str] = mapped_column(String(200), default="")


class AgentPayment(Record, Base):
    """Money an agent paid HQ against its unpaid shipped orders (``domain/agents/payments``).

    ``allocations`` says which orders it paid and how much of each (oldest first, or the one
    named); the orders' ``paid_amount`` holds the sum. ``client_reference`` makes a retried
    request return the payment already recorded instead of paying twice.
    """

    __tablename__ = "agent_payments"
    __table_args__ = (
        UniqueConstraint("agent_id", "client_reference", name="uq_agent_payments_reference"),
        Index("ix_agent_payments_agent_paid", "agent_id", "paid_at", "id"),
    )
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"))
    amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    paid_at: Mapped[dt.datetime]
    method: Mapped[AgentPaymentMethod] = mapped_column(enum_column(AgentPaymentMethod))
    reference: Mapped[str] = mapped_column(String(64), default="")  # the bank's, a receipt's
    client_reference: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str | None] = mapped_column(ForeignKey("agent_orders.id"), default=None)
    allocations: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
