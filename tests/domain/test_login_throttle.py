"""The throttle's first rows are created safely when two failures race (both engines)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from tests.factories import fetch, unique
from wellspring.domain import auth
from wellspring.domain.db import create_engine, declare_writes, session_factory
from wellspring.domain.errors import DomainError
from wellspring.domain.models import LoginThrottle

CONFIG = auth.AuthConfig(secret_key="x" * 40)


def test_two_first_failures_at_once_both_count(database_url: str) -> None:
    ghost, address = unique("ghost"), f"198.51.100.{unique('a')}"

    async def attempt(factory) -> str:  # type: ignore[no-untyped-def]
        async with factory() as session:
            await declare_writes(session)  # as the endpoint does for a mutation
            try:
                await auth.login(
                    session, config=CONFIG, username=ghost, password="x", ip_address=address
                )
            except DomainError as error:
                await session.commit()  # a failure is recorded, as the Login mutation does
                return error.code
            raise AssertionError("an unknown user signed in")

    async def race() -> list[str]:
        engine = create_engine(database_url)
        try:
            factory = session_factory(engine)
            return list(await asyncio.gather(attempt(factory), attempt(factory)))
        finally:
            await engine.dispose()

    assert asyncio.run(race()) == ["INVALID_CREDENTIALS", "INVALID_CREDENTIALS"]
    failures = dict(
        fetch(
            database_url,
            select(LoginThrottle.key, LoginThrottle.failures).where(
                LoginThrottle.key.in_([f"user:{ghost}", f"addr:{address}"])
            ),
        )
    )
    assert failures == {f"user:{ghost}": 2, f"addr:{address}": 2}
