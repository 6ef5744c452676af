"""Customers, their contacts and their structured addresses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CodeString, Record
from .enums import CustomerKind, CustomerTier, OwnerKind, enum_column


class Customer(Record, Base):
    """A person or organisation, owned by a branch (direct) or by an agent.

    ``branch_id`` is the servicing branch for every customer; ``agent_id`` is set for an agent's
    customer; ``sales_user_id`` for a direct customer brought in by a salesperson.
    """

    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_branch_created", "branch_id", "created_at", "id"),
        # Lists across every branch (HQ, the hotline) page by creation time too.
        Index("ix_customers_created", "created_at", "id"),
    )
    # HQ's extra fields (``domain/custom_fields``), by key; None until one is set.
    custom_fields: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    code: Mapped[str] = mapped_column(CodeString(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[CustomerKind] = mapped_column(
        enum_column(CustomerKind), default=CustomerKind.PERSON
    )
    tier: Mapped[CustomerTier] = mapped_column(enum_column(CustomerTier), default=CustomerTier.IRON)
    phone: Mapped[str] = mapped_column(String(32), index=True)
    owner_kind: Mapped[OwnerKind] = mapped_column(enum_column(OwnerKind), default=OwnerKind.BRANCH)
    branch_id: Mapped[str] = mapped_column(ForeignKey("branches.id"))
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), index=True, default=None)
    sales_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id"), index=True, default=None
    )
    # The engineer bound to the customer for water service: told of every recharge.
    service_technician_id: Mapped[str | None] = mapped_column(
        ForeignKey("technicians.id"), default=None
    )
    note: Mapped[str] = mapped_column(String(500), default="")
    is_active: Mapped[bool] = mapped_column(default=True)


class Contact(Record, Base):
    __tablename__ = "contacts"
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    relation: Mapped[str] = mapped_column(String(50), default="")
    is_primary: Mapped[bool] = mapped_column(default=False)


class Address(Record, Base):
    """Province / city / district / street (from a list), community / building / room (typed).

    Coordinates are WGS-84; ``is_approximate`` marks a centroid rather than a geocoded point.
    """

    __tablename__ = "addresses"
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    label: Mapped[str] = mapped_column(String(50), default="")
    province: Mapped[str] = mapped_column(String(50))
    city: Mapped[str] = mapped_column(String(50))
    district: Mapped[str] = mapped_column(String(50))
    street: Mapped[str] = mapped_column(String(100), default="")
    community: Mapped[str] = mapped_column(String(100), default="")
    building: Mapped[str] = mapped_column(String(50), default="")
    room: Mapped[str] = mapped_column(String(50), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    is_approximate: Mapped[bool] = mapped_column(default=False)
    # Where the coordinates came from: client, nominatim, baidu, centroid ('' = none yet).
    coordinate_source: Mapped[str] = mapped_column(String(16), default="")
    is_default: Mapped[bool] = mapped_column(default=False)

    # The columns ``full_text`` reads (a list read as columns reads these for it).
    FULL_TEXT_COLUMNS = ("province", "city", "district", "street", "community", "building", "room")

    @property
    def full_text(self) -> str:
        """The address as it is written in Chinese, largest unit first."""
        # Municipalities (上海市, 北京市 ...) are province and city at once: write them once.
        city = "" if self.city == self.province else self.city
        parts = (self.province, city, self.district, self.street, self.community)
        text = "".join(p for p in parts if p)
        if self.building:
            text += self.building
        if self.room:
            text += self.room
        return text
