"""Demo stock: warehouses for HQ, the repair center, each branch, every van and agent; a
parts catalogue; opening stock received through the ledger (so balances equal their sums)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.models import (
    Agent,
    BinLocation,
    Branch,
    Device,
    Part,
    StockBalance,
    StockEntry,
    Technician,
    User,
    Warehouse,
)
from ..domain.models.enums import BranchKind, DeviceStatus, LedgerKind, StockBin, WarehouseKind

_NS = uuid.UUID("5d1c3e4a-9a53-4f7e-9f0a-6b1b7a2c0d11")
_CHUNK = 2000

# sku, name, unit, cost, models it fits
PARTS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("PP-10", "PP棉滤芯 10寸", "支", "18.00", ("WS-100", "WS-200", "WS-300", "WS-500", "WS-800")),
    (
        "CTO-10",
        "压缩活性炭滤芯 10寸",
        "支",
        "26.00",
        ("WS-100", "WS-200", "WS-300", "WS-500", "WS-800"),
    ),
    ("RO-400", "RO反渗透膜 400G", "支", "210.00", ("WS-100", "WS-500")),
    ("RO-800", "RO反渗透膜 800G", "支", "360.00", ("WS-300",)),
    ("T33-01", "后置活性炭滤芯", "支", "22.00", ("WS-100", "WS-200", "WS-300", "WS-500", "WS-800")),
    ("PUMP-24V", "增压泵 24V", "个", "150.00", ("WS-100", "WS-200", "WS-300", "WS-500", "WS-800")),
    ("SV-24V", "进水电磁阀 24V", "个", "35.00", ("WS-100", "WS-200", "WS-300", "WS-500", "WS-800")),
    ("HPS-01", "高压开关", "个", "15.00", ("WS-100", "WS-200", "WS-300", "WS-500", "WS-800")),
    ("LPS-01", "低压开关", "个", "15.00", ("WS-100", "WS-200", "WS-300", "WS-500", "WS-800")),
    ("CARD-01", "刷卡器模块", "个", "88.00", ("WS-100", "WS-200", "WS-300", "WS-500", "WS-800")),
    (
        "PWR-24V",
        "电源适配器 24V",
        "个",
        "45.00",
        ("WS-100", "WS-200", "WS-300", "WS-500", "WS-800"),
    ),
)
_VAN_PARTS = ("PP-10", "CTO-10", "RO-400", "T33-01", "SV-24V", "HPS-01", "LPS-01")


def _id(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{key}"))


def _location(warehouse_id: str, sku: str) -> str:
    """HQ keeps parts on numbered shelves (货位); other stores need none."""
    if warehouse_id != _id("wh", "HQ"):
        return ""
    index = [p[0] for p in PARTS].index(sku)
    return f"A-{index // 4 + 1:02d}-{index % 4 + 1}"


def _row(id_: str, version: int, at: dt.datetime, **values: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "created_at": at,
        "updated_at": at,
        "version": version,
        "deleted_at": None,
        **values,
    }


async def _insert(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        await session.execute(insert(model), rows[start : start + _CHUNK])


async def load_inventory(session: AsyncSession, *, version: int, at: dt.datetime) -> int:
    """Add the demo stock, received at ``at``, to a database that holds the rest of the demo
    data; returns the number of balances."""
    branches = (await session.execute(select(Branch))).scalars().all()
    hq = next(b for b in branches if b.kind is BranchKind.HQ)
    warehouses = [
        _row(
            _id("wh", "HQ"),
            version,
            at,
            code="WH-HQ",
            name="总部中心仓",
            kind=WarehouseKind.HQ,
            branch_id=hq.id,
            agent_id=None,
            technician_id=None,
            is_active=True,
        ),
        _row(
            _id("wh", "RC"),
            version,
            at,
            code="WH-RC",
            name="总部维修中心",
            kind=WarehouseKind.REPAIR_CENTER,
            branch_id=hq.id,
            agent_id=None,
            technician_id=None,
            is_active=True,
        ),
    ]
    stations = []
    for branch in sorted(
        (b for b in branches if b.kind is not BranchKind.HQ), key=lambda b: b.code
    ):
        row = _row(
            _id("wh", branch.code),
            version,
            at,
            code=f"WH-{branch.code}",
            name=f"{branch.name}维修站",
            kind=WarehouseKind.REPAIR_STATION,
            branch_id=branch.id,
            agent_id=None,
            technician_id=None,
            is_active=True,
        )
        warehouses.append(row)
        stations.append(row["id"])
    vans = []
    techs = (
        await session.execute(
            select(Technician, User.username).join(User, User.id == Technician.user_id)
        )
    ).all()
    for tech, username in sorted(techs, key=lambda t: t[1]):
        row = _row(
            _id("van", username),
            version,
            at,
            code=f"VAN-{username}"[:32],
            name=f"{username} 车载库存",
            kind=WarehouseKind.VAN,
            branch_id=tech.branch_id,
            agent_id=None,
            technician_id=tech.id,
            is_active=True,
        )
        warehouses.append(row)
        vans.append(row["id"])
    agents = (await session.execute(select(Agent))).scalars().all()
    for agent in sorted(agents, key=lambda a: a.code):
        warehouses.append(
            _row(
                _id("wh", f"agent:{agent.code}"),
                version,
                at,
                code=f"AG-{agent.code}"[:32],
                name=f"{agent.name}库存",
                kind=WarehouseKind.AGENT,
                branch_id=agent.branch_id,
                agent_id=agent.id,
                technician_id=None,
                is_active=True,
            )
        )
    await _insert(session, Warehouse, warehouses)
    # Machines not at a customer's site wait in their branch's station (HQ's in the HQ store).
    for branch in branches:
        code = "HQ" if branch.kind is BranchKind.HQ else branch.code
        await session.execute(
            update(Device)
            .where(
                Device.branch_id == branch.id,
                Device.status.in_((DeviceStatus.IN_STOCK, DeviceStatus.UNINSTALLED)),
            )
            .values(warehouse_id=_id("wh", code), stock_bin=StockBin.GOOD, version=version)
            .execution_options(synchronize_session=False)
        )

    parts = [
        _row(
            _id("part", sku),
            version,
            at,
            sku=sku,
            name=name,
            unit=unit,
            cost=Decimal(cost),
            currency="CNY",
            serial_tracked=False,
            compatible_models=list(models),
            is_active=True,
        )
        for sku, name, unit, cost, models in PARTS
    ]
    await _insert(session, Part, parts)

    stock: list[tuple[str, str, int, int]] = []  # warehouse, sku, quantity, safety stock
    for sku, *_ in PARTS:
        stock.append((_id("wh", "HQ"), sku, 500, 100))
        stock.append((_id("wh", "RC"), sku, 100, 20))
        for station in stations:
            stock.append((station, sku, 40, 10))
    for n, van in enumerate(vans):
        for k, sku in enumerate(_VAN_PARTS):
            stock.append((van, sku, 2 + (n + k) % 7, 2))
    balances, entries = [], []
    for warehouse_id, sku, quantity, safety in stock:
        key = f"{warehouse_id}:{sku}"
        part_id = _id("part", sku)
        balances.append(
            _row(
                _id("balance", key),
                version,
                at,
                warehouse_id=warehouse_id,
                part_id=part_id,
                bin=StockBin.GOOD,
                quantity=quantity,
                safety_stock=safety,
                location=_location(warehouse_id, sku),
            )
        )
        entries.append(
            _row(
                _id("entry", key),
                version,
                at,
                warehouse_id=warehouse_id,
                part_id=part_id,
                bin=StockBin.GOOD,
                delta=quantity,
                kind=LedgerKind.RECEIPT,
                job_id=None,
                document="OPENING",
                client_id=None,
                actor_id=None,
                note="opening stock",
            )
        )
    await _insert(session, StockBalance, balances)
    await _insert(session, StockEntry, entries)
    await _insert(session, BinLocation, _hq_bins(version, at))
    return len(balances)


def _hq_bins(version: int, at: dt.datetime) -> list[dict[str, Any]]:
    """HQ's shelves as master data: rows A (the parts' places) and B (free), 4 bins each."""
    rows = [f"A-{n:02d}" for n in range(1, len(PARTS) // 4 + 2)]
    rows += [f"B-{n:02d}" for n in range(1, 11)]
    return [
        _row(
            _id("bin", f"HQ:{row}-{k}"),
            version,
            at,
            warehouse_id=_id("wh", "HQ"),
            code=f"{row}-{k}",
            name="",
            is_active=True,
        )
        for row in rows
        for k in range(1, 5)
    ]
