"""The clock and the configuration travel with the unit of work, never through module state."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from wellspring.domain.clock import SYSTEM_CLOCK, FixedClock, clock_of
from wellspring.domain.config import DEFAULT_CONFIG, DomainConfig, config_of
from wellspring.domain.db import create_engine, session_factory


def test_two_factories_in_one_process_keep_their_own_clock_and_config() -> None:
    async def scenario() -> None:
        engine = create_engine("sqlite+aiosqlite://")
        try:
            clock = FixedClock(dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC))
            config = DomainConfig(sla_hours={"REPAIR": {"URGENT": 2}})
            async with session_factory(engine, config=config, clock=clock)() as session:
                assert clock_of(session).now() == dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
                clock.advance(dt.timedelta(minutes=90))
                assert clock_of(session).now().hour == 3
                assert config_of(session).sla_hours == {"REPAIR": {"URGENT": 2}}
            async with session_factory(engine)() as session:
                assert clock_of(session) is SYSTEM_CLOCK
                assert config_of(session) is DEFAULT_CONFIG
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_a_fixed_clock_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        FixedClock(dt.datetime(2026, 6, 1, 10, 0))
