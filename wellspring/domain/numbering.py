"""Human-readable numbers (T0000000123, J0000000045) from named counters.

The counter row is incremented with a single UPDATE, so two transactions never draw the same
number; on PostgreSQL the row lock is held until commit, on SQLite writers are serialised.
"""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from .models import CounterRow

TICKET = ("ticket_number", "T")
JOB = ("job_number", "J")
CUSTOMER = ("customer_number", "C")


def format_number(counter: tuple[str, str], value: int) -> str:
    """The number a counter's ``value`` stands for: its prefix and ten digits."""
    return f"{counter[1]}{int(value):010d}"


async def next_number(session: AsyncSession, counter: tuple[str, str]) -> str:
    name = counter[0]
    value = (
        await session.execute(
            update(CounterRow)
            .where(CounterRow.name == name)
            .values(value=CounterRow.value + 1)
            .returning(CounterRow.value)
        )
    ).scalar_one_or_none()
    if value is None:
        await session.execute(insert(CounterRow).values(name=name, value=1))
        value = 1
    return format_number(counter, value)


async def reserve_numbers(session: AsyncSession, counter: tuple[str, str], count: int) -> list[str]:
    """``count`` consecutive numbers in one UPDATE (bulk imports)."""
    if count <= 0:
        return []
    name = counter[0]
    last = (
        await session.execute(
            update(CounterRow)
            .where(CounterRow.name == name)
            .values(value=CounterRow.value + count)
            .returning(CounterRow.value)
        )
    ).scalar_one_or_none()
    if last is None:
        await session.execute(insert(CounterRow).values(name=name, value=count))
        last = count
    return [format_number(counter, value) for value in range(last - count + 1, last + 1)]
