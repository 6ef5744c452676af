"""Bulk inserts of the demo's rows, in chunks, parents before children.

Why not the domain's services: the benches load 100,000 customers (127,000 devices, 30,000
tickets with their histories, jobs and follow-ups) in about three minutes this way; one
service call per row, each with its checks, audit entry and flush, would be many times that.
What the services would decide is still theirs: due times come from ``workflow/sla.py``,
histories from ``workflow/states.py`` (``chains.py``, and each row is checked against the
edges before it is buffered), numbers from ``numbering.py``, the password hash from
``auth.py``. The load draws one change version and stamps it on every row itself, since bulk
inserts bypass the flush hook that stamps ORM-added rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.models import (
    AccountCard,
    Address,
    Agent,
    Base,
    Branch,
    Contact,
    Customer,
    Device,
    DeviceModel,
    FilterType,
    FollowUp,
    Job,
    JobStatusChange,
    PriceStandard,
    ServiceOutlet,
    Technician,
    Ticket,
    TicketStatusChange,
    User,
)

CHUNK = 2000


class Writer:
    """Buffers rows per model and inserts them in chunks, always parents before children."""

    def __init__(self, session: AsyncSession, order: Sequence[type[Base]]) -> None:
        self._session = session
        self._order = order
        self._buffers: dict[type[Base], list[dict[str, Any]]] = {m: [] for m in order}
        self.counts: dict[type[Base], int] = defaultdict(int)

    async def add(self, model: type[Base], row: dict[str, Any]) -> None:
        buffer = self._buffers[model]
        buffer.append(row)
        if len(buffer) >= CHUNK:
            await self.flush(upto=model)

    async def flush(self, *, upto: type[Base] | None = None) -> None:
        for model in self._order:
            rows = self._buffers[model]
            if rows:
                self._buffers[model] = []
                # render_nulls keeps None values in, so every row has the same columns and the
                # whole chunk goes out as one executemany instead of one batch per None pattern.
                stmt = insert(model).execution_options(render_nulls=True)
                await self._session.execute(stmt, rows)
                self.counts[model] += len(rows)
            if model is upto:
                return


ORDER: tuple[type[Base], ...] = (
    Branch,
    Agent,
    ServiceOutlet,
    User,
    Technician,
    DeviceModel,
    FilterType,
    PriceStandard,
    Customer,
    Address,
    Contact,
    Device,
    AccountCard,
    Ticket,
    TicketStatusChange,
    Job,
    JobStatusChange,
    FollowUp,
)
