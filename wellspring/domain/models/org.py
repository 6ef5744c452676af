"""Branches, users, engineers, agents and service outlets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CodeString, Record
from .enums import AgentLevel, BranchKind, OutletLevel, Role, TicketType, enum_column

_TICKET_TYPES = frozenset(TicketType.__members__.values())


class Branch(Record, Base):
    """HQ, a directly operated city branch (分公司) or a regional office (办事处)."""

    __tablename__ = "branches"
    code: Mapped[str] = mapped_column(CodeString(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[BranchKind] = mapped_column(enum_column(BranchKind))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("branches.id"), default=None)
    province: Mapped[str] = mapped_column(String(50), default="")
    city: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    is_active: Mapped[bool] = mapped_column(default=True)


class Agent(Record, Base):
    """A dealer (代理商) leasing machines in its own territory."""

    __tablename__ = "agents"
    code: Mapped[str] = mapped_column(CodeString(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[AgentLevel] = mapped_column(enum_column(AgentLevel))
    parent_agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), default=None)
    branch_id: Mapped[str] = mapped_column(ForeignKey("branches.id"), index=True)
    territory: Mapped[str] = mapped_column(String(200), default="")
    # The areas it may sell and service in: [{"province", "city", "district"}], an empty
    # district covering the whole city (``domain/agents/territory.py``).
    territory_areas: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    credit_limit: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    deposit: Mapped[Decimal] = mapped_column(default=Decimal("0"))  # 保证金
    contract_number: Mapped[str] = mapped_column(String(64), default="")
    contract_start: Mapped[dt.date | None] = mapped_column(Date, default=None)
    contract_end: Mapped[dt.date | None] = mapped_column(Date, default=None)
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    contact_email: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(default=True)


class ServiceOutlet(Record, Base):
    """A service point (服务网点) with its own engineers, assessed and settled with."""

    __tablename__ = "service_outlets"
    code: Mapped[str] = mapped_column(CodeString(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(50), default="")
    level: Mapped[OutletLevel] = mapped_column(enum_column(OutletLevel), default=OutletLevel.B)
    branch_id: Mapped[str] = mapped_column(ForeignKey("branches.id"), index=True)
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), default=None)
    credit_limit: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(200), default="")  # the typed line: street, no.
    is_active: Mapped[bool] = mapped_column(default=True)
    # issue 18: the outlet's desk, structured address and rate card (domain/outlets)
    phone: Mapped[str] = mapped_column(String(32), default="", server_default="")
    mobile: Mapped[str] = mapped_column(String(32), default="", server_default="")
    email: Mapped[str] = mapped_column(String(100), default="", server_default="")
    province: Mapped[str] = mapped_column(String(50), default="", server_default="")
    city: Mapped[str] = mapped_column(String(50), default="", server_default="")
    district: Mapped[str] = mapped_column(String(50), default="", server_default="")
    # What HQ pays the outlet per completed job, by ticket type: {"REPAIR": "80.00"}.
    rate_card: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")


class User(Record, Base):
    """A login. Its role decides what it may see (``domain.policy``)."""

    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role), index=True)
    branch_id: Mapped[str | None] = mapped_column(ForeignKey("branches.id"), default=None)
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), default=None)
    # use_alter: customers also refer to users (their salesperson), a cycle.
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customers.id", use_alter=True), default=None
    )
    phone: Mapped[str] = mapped_column(String(32), default="")
    locale: Mapped[str] = mapped_column(String(8), default="zh-CN")
    is_active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)


class Technician(Record, Base):
    """An engineer: skills, home base, shift hours (local time, Asia/Shanghai) and position.

    Three positions locate an engineer, each with an indexed H3 cell (``geo.cells``) so the
    nearest-engineer search reads a handful of cells, never every engineer: the phone's last
    report, the site of the last job reached, and the home base.
    """

    __tablename__ = "technicians"
    # The list's keyset order, company-wide and per branch (issue 19 §3).
    __table_args__ = (
        Index("ix_technicians_created", "created_at", "id"),
        Index("ix_technicians_branch_created", "branch_id", "created_at", "id"),
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), unique=True)
    branch_id: Mapped[str] = mapped_column(ForeignKey("branches.id"), index=True)
    outlet_id: Mapped[str | None] = mapped_column(ForeignKey("service_outlets.id"), default=None)
    # An agent's own engineer (代理商工程师): only its agent dispatches to them.
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), index=True, default=None)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    home_latitude: Mapped[float | None] = mapped_column(Float, default=None)
    home_longitude: Mapped[float | None] = mapped_column(Float, default=None)
    shift_start: Mapped[dt.time] = mapped_column(Time, default=dt.time(8, 30))
    shift_end: Mapped[dt.time] = mapped_column(Time, default=dt.time(17, 30))
    # ISO weekdays the shift is worked (1 = Monday); a day not listed has no shift.
    work_days: Mapped[list[int]] = mapped_column(JSON, default=lambda: [1, 2, 3, 4, 5, 6])
    is_active: Mapped[bool] = mapped_column(default=True)
    home_cell: Mapped[str | None] = mapped_column(String(16), index=True, default=None)
    position_latitude: Mapped[float | None] = mapped_column(Float, default=None)
    position_longitude: Mapped[float | None] = mapped_column(Float, default=None)
    position_accuracy: Mapped[float | None] = mapped_column(Float, default=None)  # metres
    position_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    position_cell: Mapped[str | None] = mapped_column(String(16), index=True, default=None)
    site_latitude: Mapped[float | None] = mapped_column(Float, default=None)
    site_longitude: Mapped[float | None] = mapped_column(Float, default=None)
    site_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    site_cell: Mapped[str | None] = mapped_column(String(16), index=True, default=None)

    @property
    def known_skills(self) -> list[TicketType]:
        """The stored skills that are ticket types today: one whose type has left the
        catalogue (or was written around the API) matches no job and is not shown."""
        return [TicketType(s) for s in self.skills or () if s in _TICKET_TYPES]
