"""Small factories that write through the domain services, as the application would."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from graphql_relay import from_global_id
from sqlalchemy import select

from wellspring.domain.actor import SYSTEM
from wellspring.domain.clock import SYSTEM_CLOCK, Clock
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models.enums import Role
from wellspring.domain.users import create_user


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def raw_id(gid: str) -> str:
    """The database id inside a relay global id."""
    return str(from_global_id(gid)[1])


def make_user(
    url: str, *, role: Role = Role.HOTLINE, password: str = "password-123", branch: str = "HQ"
) -> str:
    """A new login with a unique username; returns the username."""
    username = unique(role.value.lower())

    async def create() -> None:
        engine = create_engine(url)
        try:
            async with transaction(session_factory(engine)) as session:
                await create_user(
                    session,
                    SYSTEM,
                    username=username,
                    password=password,
                    role=role,
                    display_name=username,
                    branch_code=branch,
                )
        finally:
            await engine.dispose()

    asyncio.run(create())
    return username


def fetch(url: str, stmt: Any) -> list[Any]:
    """Rows of a statement, read on a connection of its own."""

    async def read() -> list[Any]:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                return list((await session.execute(stmt)).all())
        finally:
            await engine.dispose()

    return asyncio.run(read())


def execute(url: str, stmt: Any) -> None:
    """Run one writing statement in a transaction of its own (to set up a situation)."""

    async def write() -> None:
        engine = create_engine(url)
        try:
            async with transaction(session_factory(engine)) as session:
                await session.execute(stmt)
        finally:
            await engine.dispose()

    asyncio.run(write())


def scalars(url: str, stmt: Any) -> list[Any]:
    return [row[0] for row in fetch(url, stmt)]


def in_rollback(
    url: str, body: Callable[[Any], Awaitable[Any]], *, clock: Clock = SYSTEM_CLOCK
) -> Any:
    """Run ``body`` on a domain session (with ``clock``) in a transaction that is always
    rolled back, so the shared data stays as it was."""

    async def go() -> Any:
        engine = create_engine(url)
        try:
            async with session_factory(engine, clock=clock)() as session, session.begin():
                try:
                    return await body(session)
                finally:
                    await session.rollback()
        finally:
            await engine.dispose()

    return asyncio.run(go())


__all__ = ["execute", "fetch", "in_rollback", "make_user", "scalars", "select", "unique"]


def xlsx(rows: list[list[Any]]) -> bytes:
    """A workbook whose first sheet holds ``rows``, as an upload's bytes."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
