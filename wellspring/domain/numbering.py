"""Human-readable numbers (T0000000123, J0000000045) from named counters.

The counter row is created or incremented by a single upsert, so two transactions never draw
the same number; on PostgreSQL the row lock is held until commit, on SQLite writers are
serialised.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from .models import CounterRow

TICKET = ("ticket_number", "T")
JOB = ("job_number", "J")
CUSTOMER = ("customer_number", "C")


def format_number(counter: tuple[str, str], value: int) -> str:
    """The number a counter's ``value`` stands for: its prefix and ten digits."""
    return f"{counter[1]}{int(value):010d}"


async def next_number(session: AsyncSession, counter: tuple[str, str]) -> str:
    return format_number(counter, await _advance(session, counter[0], 1))


async def reserve_numbers(session: AsyncSession, counter: tuple[str, str], count: int) -> list[str]:
    """``count`` consecutive numbers in one statement (bulk imports)."""
    if count <= 0:
        return []
    last = await _advance(session, counter[0], count)
    return [format_number(counter, value) for value in range(last - count + 1, last + 1)]


async def _advance(session: AsyncSession, name: str, count: int) -> int:
    """The counter's new value, created at ``count`` if it has none. One upsert: a counter's
    first numbers, drawn by two transactions at once, must not both try to create its row
    (the loser's unique-key error was an INTERNAL_ERROR)."""
    dialect = session.get_bind().dialect.name
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(CounterRow)
    upsert = (
        stmt.values(name=name, value=count)
        .on_conflict_do_update(
            index_elements=[CounterRow.name], set_={"value": CounterRow.value + count}
        )
        .returning(CounterRow.value)
    )
    return int((await session.execute(upsert)).scalar_one())
