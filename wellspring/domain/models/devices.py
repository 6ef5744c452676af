"""Device models and their filters, leased devices (水机) and account cards (开户卡)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CodeString, Record
from .enums import CardStatus, DeviceStatus, StockBin, SupplyMode, enum_column


class DeviceModel(Record, Base):
    __tablename__ = "device_models"
    code: Mapped[str] = mapped_column(CodeString(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    supply_mode: Mapped[SupplyMode] = mapped_column(enum_column(SupplyMode))
    list_price: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    is_active: Mapped[bool] = mapped_column(default=True)


class FilterType(Record, Base):
    """A filter stage of a device model and how long it lasts."""

    __tablename__ = "filter_types"
    device_model_id: Mapped[str] = mapped_column(ForeignKey("device_models.id"), index=True)
    stage: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))
    lifetime_days: Mapped[int] = mapped_column(Integer)
    # How many buckets of water it filters before it is spent (None: by the calendar only).
    capacity_buckets: Mapped[int | None] = mapped_column(Integer, default=None)


class Device(Record, Base):
    """A leased water station at a customer's site, or in stock."""

    __tablename__ = "devices"
    # HQ's extra fields (``domain/custom_fields``), by key; None until one is set.
    custom_fields: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    __table_args__ = (Index("ix_devices_supply_expires", "supply_expires_on"),)
    serial_number: Mapped[str] = mapped_column(String(64), unique=True)
    device_model_id: Mapped[str] = mapped_column(ForeignKey("device_models.id"))
    contract_number: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[DeviceStatus] = mapped_column(enum_column(DeviceStatus))
    opened_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    price: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    branch_id: Mapped[str] = mapped_column(ForeignKey("branches.id"), index=True)
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), index=True, default=None)
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customers.id"), index=True, default=None
    )
    address_id: Mapped[str | None] = mapped_column(ForeignKey("addresses.id"), default=None)
    supply_mode: Mapped[SupplyMode] = mapped_column(enum_column(SupplyMode))
    supply_expires_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    bucket_balance: Mapped[int] = mapped_column(Integer, default=0)
    first_recharged_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    installed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Machines are stock too: where an uninstalled or new machine sits, and in which bin.
    warehouse_id: Mapped[str | None] = mapped_column(
        ForeignKey("warehouses.id"), index=True, default=None
    )
    stock_bin: Mapped[StockBin | None] = mapped_column(enum_column(StockBin), default=None)


class AccountCard(Record, Base):
    """An account card: number plus a hashed secret; bound to a customer and device when active."""

    __tablename__ = "account_cards"
    __table_args__ = (
        Index("ix_account_cards_activated", "activated_at"),
        Index("ix_account_cards_cancelled", "cancelled_at"),
    )
    card_number: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(255))
    status: Mapped[CardStatus] = mapped_column(enum_column(CardStatus))
    branch_id: Mapped[str] = mapped_column(ForeignKey("branches.id"), index=True)
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), index=True, default=None)
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customers.id"), index=True, default=None
    )
    device_id: Mapped[str | None] = mapped_column(
        ForeignKey("devices.id"), index=True, default=None
    )
    activated_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Where a spare card sits until it is bound (received in batches by number range).
    warehouse_id: Mapped[str | None] = mapped_column(
        ForeignKey("warehouses.id"), index=True, default=None
    )
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class FilterChange(Record, Base):
    """A filter replaced on a device (on a job, or at install when the job says so).

    A filter's next change is due ``lifetime_days`` after its last change, or after the
    device's open date when it was never changed.
    """

    __tablename__ = "filter_changes"
    __table_args__ = (
        Index("ix_filter_changes_device_filter", "device_id", "filter_type_id", "changed_on"),
    )
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    filter_type_id: Mapped[str] = mapped_column(ForeignKey("filter_types.id"))
    changed_on: Mapped[dt.date] = mapped_column(Date)
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"), default=None)


class WaterTest(Record, Base):
    """Water tested on site: the readings, and whether they met the thresholds in force."""

    __tablename__ = "water_tests"
    __table_args__ = (Index("ix_water_tests_device_tested", "device_id", "tested_at"),)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"), index=True, default=None)
    tested_at: Mapped[dt.datetime] = mapped_column()
    tds_mg_l: Mapped[float | None] = mapped_column(Float, default=None)
    ph: Mapped[float | None] = mapped_column(Float, default=None)
    residual_chlorine_mg_l: Mapped[float | None] = mapped_column(Float, default=None)
    turbidity_ntu: Mapped[float | None] = mapped_column(Float, default=None)
    temperature_c: Mapped[float | None] = mapped_column(Float, default=None)
    passed: Mapped[bool] = mapped_column()
    failures: Mapped[list[str]] = mapped_column(JSON, default=list)
