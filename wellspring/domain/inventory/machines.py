"""Machines as stock, by serial number: received into a warehouse, taken out for an install,
put back (good or defective bin) by an uninstall."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..custom_fields import values as custom_values
from ..errors import DomainError
from ..models import Device, DeviceModel, Warehouse
from ..models.enums import CustomFieldEntity, DeviceStatus, StockBin, WarehouseKind
from .scopes import warehouses_scope

IN_STOCK = (DeviceStatus.IN_STOCK, DeviceStatus.UNINSTALLED)


async def receive_machine(
    session: AsyncSession,
    actor: Actor,
    *,
    warehouse_id: str,
    device_model_id: str,
    serial_number: str,
    custom_fields: Mapping[str, str | None] | None = None,
) -> Device:
    """A new machine arrives in a warehouse's good bin; a serial already known is refused.
    ``custom_fields``: HQ's extra device fields by key, as text (required ones included)."""
    permissions.check(actor, "stock.receive_machine")
    warehouse = (
        await session.execute(  # held, as documents.warehouse holds it
            select(Warehouse)
            .where(Warehouse.id == warehouse_id, warehouses_scope(actor))
            .with_for_update(read=True, of=Warehouse)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if warehouse is None or warehouse.kind is WarehouseKind.VAN or not warehouse.is_active:
        raise DomainError("NOT_FOUND", field="warehouse_id")
    model = await session.get(DeviceModel, device_model_id)
    if model is None:
        raise DomainError("NOT_FOUND", field="device_model_id")
    serial = serial_number.strip()
    if not serial or len(serial) > 64:
        raise DomainError("REQUIRED", field="serial_number")
    if await session.scalar(select(Device.id).where(Device.serial_number == serial)) is not None:
        raise DomainError("SERIAL_IN_STOCK", field="serial_number", value=serial)
    extra = await custom_values.apply(
        session, CustomFieldEntity.DEVICE, None, custom_fields, creating=True
    )
    device = Device(
        serial_number=serial,
        device_model_id=model.id,
        status=DeviceStatus.IN_STOCK,
        supply_mode=model.supply_mode,
        price=Decimal(model.list_price),
        branch_id=warehouse.branch_id or "",
        warehouse_id=warehouse.id,
        stock_bin=StockBin.GOOD,
        custom_fields=extra,
    )
    session.add(device)
    await session.flush()
    audit.record(
        session,
        actor,
        "machine.received",
        entity_type="Device",
        entity_id=device.id,
        warehouse_id=warehouse.id,
    )
    return device


async def in_stock(session: AsyncSession, serial_number: str) -> Device | None:
    """The machine with this serial if it waits, usable, in a warehouse: locked until commit,
    so that two installs of one serial at once cannot both take it out."""
    device = await session.scalar(
        select(Device)
        .where(Device.serial_number == serial_number)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if (
        device is None
        or device.status not in IN_STOCK
        or device.warehouse_id is None
        or device.stock_bin is not StockBin.GOOD
    ):
        return None
    return device


def take_out(device: Device) -> str | None:
    """The machine leaves its warehouse for a site; returns where it was."""
    source = device.warehouse_id
    device.warehouse_id = None
    device.stock_bin = None
    return source


async def put_back(
    session: AsyncSession, device: Device, *, branch_id: str, defective: bool
) -> Warehouse:
    """A collected machine goes into its branch's repair station, good or defective bin."""
    station = (
        (
            await session.execute(
                select(Warehouse)
                .where(
                    Warehouse.branch_id == branch_id,
                    Warehouse.kind.in_((WarehouseKind.REPAIR_STATION, WarehouseKind.HQ)),
                    Warehouse.is_active,
                )
                .order_by(Warehouse.kind.desc(), Warehouse.code)
                .limit(1)
                .with_for_update(read=True)  # held, as documents.warehouse holds it
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .first()
    )
    if station is None:
        raise DomainError("NO_WAREHOUSE", field="device_id")
    device.warehouse_id = station.id
    device.stock_bin = StockBin.DEFECTIVE if defective else StockBin.GOOD
    return station
