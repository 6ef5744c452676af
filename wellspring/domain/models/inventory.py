"""Warehouses, the parts catalogue, stock balances and the append-only stock ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CodeString, Record
from .enums import (
    DiscrepancyResolution,
    DiscrepancyStatus,
    LedgerKind,
    MovementKind,
    MovementStatus,
    StockBin,
    WarehouseKind,
    enum_column,
)


class Warehouse(Record, Base):
    """HQ, a repair center or station, an engineer's van, or an agent's stock."""

    __tablename__ = "warehouses"
    code: Mapped[str] = mapped_column(CodeString(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[WarehouseKind] = mapped_column(enum_column(WarehouseKind))
    branch_id: Mapped[str | None] = mapped_column(
        ForeignKey("branches.id"), index=True, default=None
    )
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), index=True, default=None)
    technician_id: Mapped[str | None] = mapped_column(
        ForeignKey("technicians.id"), unique=True, default=None
    )
    is_active: Mapped[bool] = mapped_column(default=True)


class Part(Record, Base):
    """A spare part or consumable (filters, pumps, valves ...)."""

    __tablename__ = "parts"
    sku: Mapped[str] = mapped_column(CodeString(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(16), default="个")
    cost: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    # What a dealer or customer pays for it (cost stays internal: ``policy.can_see_costs``).
    list_price: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    serial_tracked: Mapped[bool] = mapped_column(default=False)
    # Device model codes the part fits.
    compatible_models: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)


class StockBalance(Record, Base):
    """How many of a part a warehouse holds in one bin. Always the sum of its ledger entries.

    Written only by ``domain.inventory`` with guarded UPDATEs; the CHECK keeps it from ever
    going negative on either engine, whatever the isolation level.
    """

    __tablename__ = "stock_balances"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "part_id", "bin"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )
    warehouse_id: Mapped[str] = mapped_column(ForeignKey("warehouses.id"))
    part_id: Mapped[str] = mapped_column(ForeignKey("parts.id"), index=True)
    bin: Mapped[StockBin] = mapped_column(enum_column(StockBin))
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    safety_stock: Mapped[int] = mapped_column(Integer, default=0)
    # Where it sits in the warehouse (货位), e.g. "A-03-2" at HQ.
    location: Mapped[str] = mapped_column(String(32), default="")

    @property
    def below_safety_stock(self) -> bool:
        """Under the refill level: a transfer or purchase is suggested."""
        return self.quantity < self.safety_stock


class BinLocation(Record, Base):
    """A shelf or bin of a warehouse (货位, e.g. "A-03-2"): HQ's master data. A part's
    ``StockBalance.location`` must name an active one of its warehouse."""

    __tablename__ = "bin_locations"
    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)
    warehouse_id: Mapped[str] = mapped_column(ForeignKey("warehouses.id"))
    code: Mapped[str] = mapped_column(CodeString(32))
    name: Mapped[str] = mapped_column(String(100), default="")
    is_active: Mapped[bool] = mapped_column(default=True)


class StockEntry(Record, Base):
    """One movement of stock: never edited; a correction is a reversing entry."""

    __tablename__ = "stock_entries"
    __table_args__ = (
        Index("ix_stock_entries_balance", "warehouse_id", "part_id", "bin"),
        Index("ix_stock_entries_kind_created", "kind", "created_at"),  # parts consumed by period
        Index("ix_stock_entries_warehouse_created", "warehouse_id", "created_at", "id"),
        CheckConstraint("delta <> 0", name="delta_not_zero"),
    )
    warehouse_id: Mapped[str] = mapped_column(ForeignKey("warehouses.id"))
    part_id: Mapped[str] = mapped_column(ForeignKey("parts.id"))
    bin: Mapped[StockBin] = mapped_column(enum_column(StockBin))
    delta: Mapped[int] = mapped_column(Integer)
    kind: Mapped[LedgerKind] = mapped_column(enum_column(LedgerKind))
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"), index=True, default=None)
    document: Mapped[str] = mapped_column(String(64), default="")
    # A phone's id for the line it recorded, so a retried consumption applies once.
    client_id: Mapped[str | None] = mapped_column(String(100), unique=True, default=None)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    note: Mapped[str] = mapped_column(String(500), default="")
    # When the phone recorded it, if it was recorded offline (created_at: when it arrived).
    recorded_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class StockMovement(Record, Base):
    """The document a group of ledger entries belongs to: who, when, why, and its state."""

    __tablename__ = "stock_movements"
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[MovementKind] = mapped_column(enum_column(MovementKind))
    status: Mapped[MovementStatus] = mapped_column(enum_column(MovementStatus))
    from_warehouse_id: Mapped[str | None] = mapped_column(
        ForeignKey("warehouses.id"), index=True, default=None
    )
    to_warehouse_id: Mapped[str | None] = mapped_column(
        ForeignKey("warehouses.id"), index=True, default=None
    )
    # [{"part_id", "bin", "quantity"}], as asked; the ledger holds what was applied.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    note: Mapped[str] = mapped_column(String(500), default="")


class StockDiscrepancy(Record, Base):
    """A consumption recorded offline that the van's book stock could not cover.

    The work was done and the parts were used, so the consumption is kept in full; the
    quantity the book lacked waits here for the branch to explain it (``discrepancies``).
    """

    __tablename__ = "stock_discrepancies"
    __table_args__ = (
        CheckConstraint("quantity_short > 0", name="quantity_short_positive"),
        Index("ix_stock_discrepancies_branch_status", "branch_id", "status"),
        # The lists' keyset order, company-wide and per branch (issue 19 §3).
        Index("ix_stock_discrepancies_created", "created_at", "id"),
        Index("ix_stock_discrepancies_branch_created", "branch_id", "created_at", "id"),
    )
    branch_id: Mapped[str | None] = mapped_column(ForeignKey("branches.id"), default=None)
    warehouse_id: Mapped[str] = mapped_column(ForeignKey("warehouses.id"), index=True)
    part_id: Mapped[str] = mapped_column(ForeignKey("parts.id"))
    quantity_short: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    technician_id: Mapped[str | None] = mapped_column(
        ForeignKey("technicians.id"), index=True, default=None
    )
    # The consumption line it came from (the ledger entry's client id): one per line, ever.
    client_id: Mapped[str] = mapped_column(String(100), unique=True)
    recorded_at: Mapped[dt.datetime | None] = mapped_column(default=None)  # on the phone
    received_at: Mapped[dt.datetime] = mapped_column()  # when the server took it
    status: Mapped[DiscrepancyStatus] = mapped_column(
        enum_column(DiscrepancyStatus), default=DiscrepancyStatus.OPEN
    )
    resolution: Mapped[DiscrepancyResolution | None] = mapped_column(
        enum_column(DiscrepancyResolution), default=None
    )
    reason: Mapped[str] = mapped_column(String(500), default="")
    source_warehouse_id: Mapped[str | None] = mapped_column(
        ForeignKey("warehouses.id"), default=None
    )
    resolved_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(default=None)
