"""Spare account cards into a warehouse (a legacy card stock list). The natural key is the
card number: a number already recorded is unchanged."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .. import versioning
from ..masterdata.cards import hash_card_secret
from ..models.enums import CardStatus
from .base import Checked, Context, SourceRow, record_columns
from .devices import CARDS, NO_SECRET, existing_cards
from .values import Cells


@dataclass(frozen=True)
class NewCard:
    line: int
    number: str
    secret: str
    warehouse_id: str
    branch_id: str


class CardsImport:
    """Spare cards into a warehouse (a legacy stock list); a known number is unchanged."""

    async def check(
        self, session: AsyncSession, rows: Sequence[SourceRow], ctx: Context
    ) -> Checked:
        checked = Checked()
        seen: dict[str, int] = {}
        candidates: list[NewCard] = []
        for row in rows:
            cells = Cells(row.line, row.values)
            number = cells.text("card_number", required=True, maximum=32)
            secret = cells.text("card_secret", maximum=64)
            code = cells.text("warehouse", required=True, maximum=32).upper()
            warehouse = ctx.warehouses.get(code) if code else None
            if code and (warehouse is None or warehouse[1] is None):
                cells.fail("warehouse", "IMPORT_UNKNOWN_WAREHOUSE", value=code)
            if number:
                first = seen.setdefault(number, row.line)
                if first != row.line:
                    cells.fail("card_number", "IMPORT_DUPLICATE_IN_FILE", first_line=first)
            checked.errors.extend(cells.errors)
            if not cells.errors and warehouse is not None and warehouse[1] is not None:
                candidates.append(NewCard(row.line, number, secret, warehouse[0], warehouse[1]))
        known = await existing_cards(session, [c.number for c in candidates])
        return checked.keep_new(candidates, lambda card: card.number in known)

    async def apply(self, session: AsyncSession, items: Sequence[Any], ctx: Context) -> None:
        batch: list[NewCard] = list(items)
        known = await existing_cards(session, [c.number for c in batch])
        stamp = record_columns(ctx.now)
        rows = [
            {
                **stamp,
                "id": str(uuid.uuid4()),
                "card_number": c.number,
                "secret_hash": hash_card_secret(c.number, c.secret) if c.secret else NO_SECRET,
                "status": CardStatus.IN_STOCK,
                "branch_id": c.branch_id,
                "agent_id": None,
                "customer_id": None,
                "device_id": None,
                "activated_at": None,
                "warehouse_id": c.warehouse_id,
                "cancelled_at": None,
            }
            for c in batch
            if c.number not in known
        ]
        if rows:
            await session.execute(insert(CARDS), rows)
            versioning.mark_changed(session, CARDS, [r["id"] for r in rows])
