"""Parts (by SKU) and opening stock (by warehouse, SKU and bin).

Opening stock goes through the ledger like every stock change (a RECEIPT with the document
``OPENING``), so balances stay the sum of their entries; a warehouse, part and bin that already
has an opening entry is unchanged.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .. import versioning
from ..inventory import ledger
from ..inventory.bin_locations import active_bins
from ..models import Part, StockBalance, StockEntry
from ..models.base import code_key
from ..models.enums import LedgerKind, StockBin
from .base import Checked, Context, SourceRow, chunks, record_columns
from .values import Cells

PARTS: Table = Part.__table__  # type: ignore[assignment]
OPENING = "OPENING"
_SEPARATORS = re.compile(r"[;,，、；\s]+")
_BINS = {"": StockBin.GOOD, "GOOD": StockBin.GOOD, "良品": StockBin.GOOD}
_BINS |= {"DEFECTIVE": StockBin.DEFECTIVE, "不良品": StockBin.DEFECTIVE, "坏件": StockBin.DEFECTIVE}


@dataclass(frozen=True)
class NewPart:
    line: int
    sku: str
    name: str
    unit: str
    cost: Decimal
    list_price: Decimal
    models: list[str]


async def part_ids(session: AsyncSession, skus: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in chunks(skus):
        stmt = select(Part.sku, Part.id).where(Part.sku.in_(chunk))
        found.update({s: i for s, i in await session.execute(stmt)})
    return found


class PartsImport:
    async def check(
        self, session: AsyncSession, rows: Sequence[SourceRow], ctx: Context
    ) -> Checked:
        checked = Checked()
        seen: dict[str, int] = {}
        candidates: list[NewPart] = []
        for row in rows:
            cells = Cells(row.line, row.values)
            sku = code_key(cells.text("sku", required=True, maximum=32))
            name = cells.text("name", required=True)
            unit = cells.text("unit", maximum=16) or "个"
            cost, price = cells.money("cost"), cells.money("list_price")
            models = []
            for text in _SEPARATORS.split(cells.text("compatible_models", maximum=500)):
                model = ctx.models.get(text.upper()) if text else None
                if text and model is None:
                    cells.fail("compatible_models", "IMPORT_UNKNOWN_MODEL", value=text[:32])
                elif model is not None:
                    models.append(model.code)
            if sku:
                first = seen.setdefault(sku, row.line)
                if first != row.line:
                    cells.fail("sku", "IMPORT_DUPLICATE_IN_FILE", first_line=first)
            checked.errors.extend(cells.errors)
            if not cells.errors:
                zero = Decimal("0.00")
                candidates.append(
                    NewPart(row.line, sku, name, unit, cost or zero, price or zero, models)
                )
        known = await part_ids(session, [p.sku for p in candidates])
        return checked.keep_new(candidates, lambda part: part.sku in known)

    async def apply(self, session: AsyncSession, items: Sequence[Any], ctx: Context) -> None:
        batch: list[NewPart] = list(items)
        known = await part_ids(session, [p.sku for p in batch])
        stamp = record_columns(ctx.now)
        rows = [
            {
                **stamp,
                "id": str(uuid.uuid4()),
                "sku": p.sku,
                "name": p.name,
                "unit": p.unit,
                "cost": p.cost,
                "list_price": p.list_price,
                "currency": "CNY",
                "serial_tracked": False,
                "compatible_models": p.models,
                "is_active": True,
            }
            for p in batch
            if p.sku not in known
        ]
        if rows:
            await session.execute(insert(PARTS), rows)
            versioning.mark_changed(session, PARTS, [r["id"] for r in rows])


@dataclass(frozen=True)
class OpeningStock:
    line: int
    warehouse_id: str
    part_id: str
    bin: StockBin
    quantity: int
    location: str


async def _opened(session: AsyncSession, warehouse_ids: list[str]) -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for chunk in chunks(warehouse_ids):
        stmt = select(StockEntry.warehouse_id, StockEntry.part_id, StockEntry.bin).where(
            StockEntry.warehouse_id.in_(chunk),
            StockEntry.document == OPENING,
            StockEntry.kind == LedgerKind.RECEIPT,
        )
        found.update((w, p, StockBin(b)) for w, p, b in await session.execute(stmt))
    return found


class StockImport:
    async def check(
        self, session: AsyncSession, rows: Sequence[SourceRow], ctx: Context
    ) -> Checked:
        checked = Checked()
        reads = []
        for row in rows:
            cells = Cells(row.line, row.values)
            code = cells.text("warehouse", required=True, maximum=32).upper()
            warehouse = ctx.warehouses.get(code) if code else None
            if code and warehouse is None:
                cells.fail("warehouse", "IMPORT_UNKNOWN_WAREHOUSE", value=code)
            sku = code_key(cells.text("sku", required=True, maximum=32))
            quantity = cells.integer("quantity", minimum=1, maximum=1_000_000)
            if quantity is None and cells.values.get("quantity") == "":
                cells.fail("quantity", "IMPORT_REQUIRED")
            bin_ = _BINS.get(cells.text("bin").upper())
            if bin_ is None:
                cells.fail("bin", "IMPORT_INVALID_CHOICE", value=cells.values["bin"][:32])
            location = cells.text("location", maximum=32).upper()
            reads.append((cells, warehouse, sku, quantity, bin_, location))
        parts = await part_ids(session, [r[2] for r in reads if r[2]])
        opened = await _opened(session, [r[1][0] for r in reads if r[1]])
        bins = await active_bins(session, [r[1][0] for r in reads if r[1] and r[5]])
        seen: dict[tuple[str, str, str], int] = {}
        for cells, warehouse, sku, quantity, bin_, location in reads:
            if sku and sku not in parts:
                cells.fail("sku", "IMPORT_UNKNOWN_PART", value=sku)
            if warehouse and location and (warehouse[0], location) not in bins:
                cells.fail("location", "IMPORT_UNKNOWN_BIN_LOCATION", value=location)
            if cells.errors or warehouse is None or quantity is None or bin_ is None:
                checked.errors.extend(cells.errors)
                continue
            key = (warehouse[0], parts[sku], bin_)
            first = seen.setdefault(key, cells.line)
            if first != cells.line:
                cells.fail("sku", "IMPORT_DUPLICATE_IN_FILE", first_line=first)
                checked.errors.extend(cells.errors)
            elif key in opened:
                checked.unchanged += 1
            else:
                checked.items.append(OpeningStock(cells.line, *key, quantity, location))
        return checked

    async def apply(self, session: AsyncSession, items: Sequence[Any], ctx: Context) -> None:
        # Each balance held first (in part, bin order, as documents lock them), then the
        # opening entries read: another file's run opening the same stock meanwhile is
        # waited for and seen, where both found none and the stock was opened twice.
        batch = sorted(items, key=lambda s: (s.part_id, str(s.bin), s.warehouse_id))
        for stock in batch:
            await ledger.hold(session, stock.warehouse_id, stock.part_id, stock.bin)
        opened = await _opened(session, [s.warehouse_id for s in batch])
        for stock in batch:
            if (stock.warehouse_id, stock.part_id, stock.bin) in opened:
                continue
            await ledger.post(
                session,
                ctx.actor,
                warehouse_id=stock.warehouse_id,
                part_id=stock.part_id,
                bin_=stock.bin,
                delta=stock.quantity,
                kind=LedgerKind.RECEIPT,
                document=OPENING,
                note="opening stock (import)",
            )
            if stock.location:
                await session.execute(
                    update(StockBalance)
                    .where(
                        StockBalance.warehouse_id == stock.warehouse_id,
                        StockBalance.part_id == stock.part_id,
                        StockBalance.bin == stock.bin,
                    )
                    .values(location=stock.location)
                )
