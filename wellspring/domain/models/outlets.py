"""A service outlet's assessments and monthly settlements (issue 18, domain/outlets)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record
from .enums import SettlementStatus, enum_column


class OutletAssessment(Record, Base):
    """One periodic assessment: the assessor's scores per criterion beside the system's own
    figures for the period, as they were when it was recorded."""

    __tablename__ = "outlet_assessments"
    __table_args__ = (Index("ix_outlet_assessments_outlet", "outlet_id", "period_start"),)
    outlet_id: Mapped[str] = mapped_column(ForeignKey("service_outlets.id"))
    period_start: Mapped[dt.date] = mapped_column()
    period_end: Mapped[dt.date] = mapped_column()
    assessor_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    # [{"criterion": "punctuality", "score": 4}, ...] (score 0-100)
    scores: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    total_score: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    comment: Mapped[str] = mapped_column(String(1000), default="")
    # The system's numbers for the period (outlets/figures.py), frozen at recording time.
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutletSettlement(Record, Base):
    """What HQ owes an outlet for a month: completed jobs by type x its rate card, parts
    charged, adjustments. draft -> confirmed -> paid; only a draft is recomputed or adjusted."""

    __tablename__ = "outlet_settlements"
    __table_args__ = (
        Index("uq_outlet_settlements_month", "outlet_id", "month", unique=True),
        Index("ix_outlet_settlements_month", "month", "id"),
    )
    outlet_id: Mapped[str] = mapped_column(ForeignKey("service_outlets.id"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, Asia/Shanghai
    status: Mapped[SettlementStatus] = mapped_column(
        enum_column(SettlementStatus), default=SettlementStatus.DRAFT
    )
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    # [{"ticket_type": "REPAIR", "jobs": 3, "rate": "80.00", "amount": "240.00"}, ...]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"amount": "-20.00", "reason": "...", "by": user id, "at": iso}, ...]
    adjustments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    job_count: Mapped[int] = mapped_column(Integer, default=0)
    jobs_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    parts_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    adjustments_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    generated_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    confirmed_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    paid_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    paid_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    payment_reference: Mapped[str] = mapped_column(String(64), default="")
