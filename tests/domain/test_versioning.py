"""The change version: stamped at commit, and never visible after a higher one."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text

from tests.conftest import BACKEND
from wellspring.api import migrations
from wellspring.domain import versioning
from wellspring.domain.db import create_engine, declare_writes, session_factory
from wellspring.domain.models import Branch
from wellspring.domain.models.enums import BranchKind


@pytest.fixture
def migrated_url(empty_database_url: str) -> str:
    migrations.upgrade(empty_database_url)
    return empty_database_url


def _branch(code: str) -> Branch:
    return Branch(code=code, name=code, kind=BranchKind.OFFICE)


async def _versions(factory, codes: list[str]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with factory() as session:
        rows = await session.execute(
            select(Branch.code, Branch.version).where(Branch.code.in_(codes))
        )
        return {code: version for code, version in rows.all()}


def test_every_written_row_gets_the_commit_version(migrated_url: str) -> None:
    async def scenario() -> None:
        engine = create_engine(migrated_url)
        factory = session_factory(engine)
        try:
            async with factory() as s:
                s.add_all([_branch("A1"), _branch("A2")])
                await s.commit()
            async with factory() as s:
                row = (await s.execute(select(Branch).where(Branch.code == "A1"))).scalar_one()
                row.name = "renamed"
                await s.commit()
                assert row.version == await versioning.current_version(s)
            versions = await _versions(factory, ["A1", "A2"])
            assert versions["A1"] == versions["A2"] + 1
            async with factory() as s:  # a read-only transaction draws nothing
                before = await versioning.current_version(s)
                await s.execute(select(Branch))
                await s.commit()
                assert await versioning.current_version(s) == before
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_rolled_back_work_consumes_no_version(migrated_url: str) -> None:
    async def scenario() -> None:
        engine = create_engine(migrated_url)
        factory = session_factory(engine)
        try:
            async with factory() as s:
                start = await versioning.current_version(s)
            async with factory() as s:
                s.add(_branch("R1"))
                await s.flush()
                await s.rollback()
            async with factory() as s:
                assert await versioning.current_version(s) == start
        finally:
            await engine.dispose()

    asyncio.run(scenario())


@pytest.mark.skipif(BACKEND != "postgresql", reason="overlapping writers need PostgreSQL")
def test_a_reader_between_overlapping_commits_never_misses_the_late_row(migrated_url: str) -> None:
    """Writer A starts first and commits last; a reader syncs between the two commits.

    With versions drawn during the transaction (a sequence), A would hold the lower version
    and become visible after the reader moved its cursor past B's: the classic hole.
    """

    async def scenario() -> None:
        engine = create_engine(migrated_url)
        factory = session_factory(engine)
        try:
            async with factory() as a, factory() as b:
                a.add(_branch("LATE"))
                await a.flush()  # A has written, not committed
                b.add(_branch("EARLY"))
                await b.commit()  # B commits first
                # The reader syncs now and moves its cursor to what it saw.
                async with factory() as reader:
                    cursor = await versioning.current_version(reader)
                    seen = (
                        (await reader.execute(select(Branch.code).where(Branch.version <= cursor)))
                        .scalars()
                        .all()
                    )
                    assert "EARLY" in seen
                    assert "LATE" not in seen
                await a.commit()
            async with factory() as reader:
                later = (
                    (await reader.execute(select(Branch.code).where(Branch.version > cursor)))
                    .scalars()
                    .all()
                )
            assert "LATE" in later
        finally:
            await engine.dispose()

    asyncio.run(scenario())


@pytest.mark.skipif(BACKEND != "postgresql", reason="row locks only exist on PostgreSQL")
def test_a_drawn_version_blocks_the_next_writer_until_it_commits(migrated_url: str) -> None:
    """Once A holds version V, B cannot draw V+1 and commit before A is visible."""

    async def scenario() -> None:
        engine = create_engine(migrated_url)
        factory = session_factory(engine)
        try:
            async with factory() as a:
                await declare_writes(a)
                a.add(_branch("HOLD"))
                await a.flush()
                held = await a.run_sync(versioning.next_version)

                async def writer_b() -> int:
                    async with factory() as b:
                        b.add(_branch("NEXT"))
                        await b.commit()
                        return await versioning.current_version(b)

                b_task = asyncio.create_task(writer_b())
                await asyncio.sleep(0.5)
                assert not b_task.done(), "B committed while A still held its version"
                async with factory() as reader:
                    assert await versioning.current_version(reader) == held - 1
                await a.commit()
                b_version = await asyncio.wait_for(b_task, timeout=10)
            assert b_version > held
            versions = await _versions(factory, ["HOLD", "NEXT"])
            assert versions["NEXT"] > versions["HOLD"]
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_savepoints_hand_their_rows_to_the_outer_commit(migrated_url: str) -> None:
    """A committed savepoint's rows are stamped at the final commit, with one version; a
    rolled-back savepoint forgets only its own rows, never those written before it."""

    async def scenario() -> None:
        engine = create_engine(migrated_url)
        factory = session_factory(engine)
        try:
            async with factory() as s:
                before = await versioning.current_version(s)
                s.add(_branch("S0"))  # written outside any savepoint
                await s.flush()
                async with s.begin_nested():
                    s.add(_branch("S1"))
                failed = await s.begin_nested()
                s.add(_branch("S2"))
                await s.flush()
                await failed.rollback()
                async with s.begin_nested():
                    s.add(_branch("S3"))
                # Nothing drawn yet: savepoints do not take the clock.
                assert await versioning.current_version(s) == before
                await s.commit()
            versions = await _versions(factory, ["S0", "S1", "S2", "S3"])
            assert versions == {"S0": before + 1, "S1": before + 1, "S3": before + 1}
        finally:
            await engine.dispose()

    asyncio.run(scenario())


@pytest.mark.skipif(BACKEND != "postgresql", reason="row locks only exist on PostgreSQL")
def test_a_committed_savepoint_does_not_lock_the_clock(migrated_url: str) -> None:
    """Another writer may commit while a long unit of work is between its savepoints."""

    async def scenario() -> None:
        engine = create_engine(migrated_url)
        factory = session_factory(engine)
        try:
            async with factory() as long_one:
                async with long_one.begin_nested():
                    long_one.add(_branch("L1"))
                async with factory() as other:
                    await other.execute(text("SET lock_timeout = '2s'"))
                    other.add(_branch("L2"))
                    await other.commit()  # would time out if the clock row were locked
                await long_one.commit()
            versions = await _versions(factory, ["L1", "L2"])
            assert versions["L1"] == versions["L2"] + 1
        finally:
            await engine.dispose()

    asyncio.run(scenario())
