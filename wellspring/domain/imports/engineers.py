"""Engineers with their login and van (through the master-data use case, a row at a time:
a company has hundreds, not thousands). The natural key is the username. An imported engineer
gets an unguessable password: an admin sets theirs (ResetPassword) before they sign in."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.digits import is_digits

from ..masterdata.technicians import TechnicianChange, upsert_technician
from ..models import User
from ..models.enums import TicketType
from .base import Checked, Context, SourceRow, chunks
from .values import Cells

_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{3,64}$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")
_SEPARATORS = re.compile(r"[;,，、；\s]+")


@dataclass(frozen=True)
class NewEngineer:
    line: int
    change: TechnicianChange


async def _usernames(session: AsyncSession, names: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(names):
        found.update(await session.scalars(select(User.username).where(User.username.in_(chunk))))
    return found


def _read(row: SourceRow, ctx: Context) -> tuple[NewEngineer | None, Cells]:
    cells = Cells(row.line, row.values)
    username = cells.text("username", required=True, maximum=64)
    if username and not _USERNAME.match(username):
        cells.fail("username", "IMPORT_INVALID_USERNAME", value=username)
    name = cells.text("name", required=True)
    phone = cells.phone("phone", required=False)
    code = cells.text("branch", required=True, maximum=32).upper()
    branch_id = ctx.branches.get(code) if code else None
    if code and branch_id is None:
        cells.fail("branch", "IMPORT_UNKNOWN_BRANCH", value=code)
    skills: list[TicketType] = []
    for text in _SEPARATORS.split(cells.text("skills", maximum=500).upper()):
        if text and text not in TicketType.__members__:
            cells.fail("skills", "IMPORT_INVALID_CHOICE", value=text[:32])
        elif text:
            skills.append(TicketType(text))
    times = []
    for name_ in ("shift_start", "shift_end"):
        value = cells.text(name_, maximum=5)
        if value and not _TIME.match(value):
            cells.fail(name_, "IMPORT_INVALID_TIME", value=value)
        times.append(value or None)
    if times[0] and times[1] and times[1].zfill(5) <= times[0].zfill(5):
        cells.fail("shift_end", "INVALID_SHIFT")
    days: list[int] | None = None
    raw_days = cells.text("work_days", maximum=40)
    if raw_days:
        parts = [p for p in _SEPARATORS.split(raw_days) if p]
        if not all(is_digits(p) and 1 <= int(p) <= 7 for p in parts):
            cells.fail("work_days", "INVALID_WORK_DAYS")
        else:
            days = [int(p) for p in parts]
    if cells.errors or branch_id is None:
        return None, cells
    change = TechnicianChange(
        username=username,
        password=secrets.token_urlsafe(24),
        display_name=name,
        phone=phone,
        branch_id=branch_id,
        skills=skills or None,
        shift_start=times[0],
        shift_end=times[1],
        work_days=days,
    )
    return NewEngineer(row.line, change), cells


class EngineersImport:
    async def check(
        self, session: AsyncSession, rows: Sequence[SourceRow], ctx: Context
    ) -> Checked:
        checked = Checked()
        seen: dict[str, int] = {}
        candidates: list[NewEngineer] = []
        for row in rows:
            item, cells = _read(row, ctx)
            if item is not None:
                key = (item.change.username or "").lower()
                first = seen.setdefault(key, item.line)
                if first != item.line:
                    cells.fail("username", "IMPORT_DUPLICATE_IN_FILE", first_line=first)
                    item = None
            checked.errors.extend(cells.errors)
            if item is not None:
                candidates.append(item)
        known = await _usernames(session, [c.change.username or "" for c in candidates])
        return checked.keep_new(candidates, lambda item: item.change.username in known)

    async def apply(self, session: AsyncSession, items: Sequence[Any], ctx: Context) -> None:
        batch: list[NewEngineer] = list(items)
        known = await _usernames(session, [e.change.username or "" for e in batch])
        for item in batch:
            if item.change.username not in known:
                await upsert_technician(session, ctx.actor, change=item.change)
