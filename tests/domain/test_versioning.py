"""The change version: stamped at commit, and never visible after a higher one."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import ColumnElement, event, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import BACKEND, PG_ADMIN_URL
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
            first = await _versions(factory, ["A1", "A2"])
            assert first["A1"] == first["A2"]  # one commit, one version
            async with factory() as s:
                row = (await s.execute(select(Branch).where(Branch.code == "A1"))).scalar_one()
                row.name = "renamed"
                await s.commit()
                stamped = row.version
                if BACKEND == "sqlite":
                    assert stamped == await versioning.current_version(s)
            versions = await _versions(factory, ["A1", "A2"])
            assert versions["A1"] == stamped
            assert versions["A1"] > versions["A2"]  # a later transaction, a higher version
            if BACKEND == "sqlite":
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
                if BACKEND == "sqlite":
                    assert await versioning.current_version(s) == start
                else:  # the cursor never goes back, whatever else the cluster does
                    assert await versioning.current_version(s) >= start
        finally:
            await engine.dispose()

    asyncio.run(scenario())


async def _codes(factory: async_sessionmaker[AsyncSession], where: ColumnElement[bool]) -> set[str]:
    async with factory() as reader:
        return set((await reader.execute(select(Branch.code).where(where))).scalars().all())


@pytest.mark.skipif(BACKEND != "postgresql", reason="overlapping writers need PostgreSQL")
@pytest.mark.parametrize("late_by", [0.0, 2.0])
def test_a_reader_between_overlapping_commits_never_misses_the_late_row(
    migrated_url: str, late_by: float
) -> None:
    """Writer A writes first and commits last (at once, or seconds later); readers take
    cursors between the two commits.

    With versions drawn during the transaction (a sequence), A would hold the lower version
    and become visible below a cursor already handed out: the classic hole. Here a cursor
    never passes a transaction still running, so every row above it is sent again later.
    """

    async def scenario() -> None:
        engine = create_engine(migrated_url)
        factory = session_factory(engine)
        try:
            cursors: list[int] = []
            async with factory() as a, factory() as b:
                a.add(_branch("LATE"))
                await a.flush()  # A has written and holds its transaction id
                b.add(_branch("EARLY"))
                await b.commit()  # B commits first, with a higher id
                for _ in range(3 if late_by else 1):
                    async with factory() as reader:
                        cursor = await versioning.current_version(reader)
                        below = await _codes(factory, Branch.version <= cursor)
                    # Below a cursor, everything is committed: A's row cannot be there yet.
                    assert "LATE" not in below
                    cursors.append(cursor)
                    await asyncio.sleep(late_by / 3)
                # A pull at this cursor sends what is visible above it: B's row.
                assert "EARLY" in await _codes(factory, Branch.version > cursors[0])
                await a.commit()
            assert cursors == sorted(cursors)
            for cursor in cursors:  # a phone at any of those cursors now gets the late row
                assert {"LATE", "EARLY"} <= await _codes(factory, Branch.version > cursor)
        finally:
            await engine.dispose()

    asyncio.run(scenario())


@pytest.mark.skipif(BACKEND != "postgresql", reason="row locks only exist on PostgreSQL")
def test_writers_never_wait_for_each_other_and_the_cursor_waits_for_them(
    migrated_url: str,
) -> None:
    """A holds its version open; B, an unrelated writer, commits at once (no shared row to
    lock); a reader's cursor stays below A's version until A commits."""

    async def scenario() -> None:
        engine = create_engine(migrated_url)
        factory = session_factory(engine)
        try:
            async with factory() as a:
                await declare_writes(a)
                a.add(_branch("HOLD"))
                await a.flush()
                held = await a.run_sync(versioning.next_version)
                async with factory() as b:
                    await b.execute(text("SET lock_timeout = '2s'"))
                    b.add(_branch("NEXT"))
                    await b.commit()  # would time out if writers queued on one row
                async with factory() as reader:
                    assert await versioning.current_version(reader) < held
                await a.commit()
            versions = await _versions(factory, ["HOLD", "NEXT"])
            assert versions["HOLD"] == held
            assert versions["NEXT"] > versions["HOLD"]
        finally:
            await engine.dispose()

    asyncio.run(scenario())


@pytest.mark.skipif(BACKEND != "postgresql", reason="other databases of a cluster: PostgreSQL")
def test_a_transaction_open_in_another_database_does_not_hold_the_cursor_back(
    migrated_url: str,
) -> None:
    """Another database of the cluster (here the admin database) holds a transaction open,
    with an id, across a write and a read here: the cursor still passes the write, so a pull
    after it is empty. A transaction of THIS database still holds it back."""

    async def scenario() -> None:
        engine, other = create_engine(migrated_url), create_engine(PG_ADMIN_URL)
        factory = session_factory(engine)
        try:
            async with other.connect() as elsewhere:
                await elsewhere.execute(text("SELECT pg_current_xact_id()"))  # an open id
                async with factory() as s:
                    s.add(_branch("HERE"))
                    await s.commit()
                written = (await _versions(factory, ["HERE"]))["HERE"]
                async with factory() as reader:
                    cursor = await versioning.current_version(reader)
                    cluster_wide = (
                        await reader.execute(
                            text(
                                "SELECT coalesce((SELECT value FROM change_clock), 0)"
                                " + pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 1"
                            )
                        )
                    ).scalar_one()
                assert cluster_wide < written  # the old watermark: the pull would re-send
                assert cursor >= written
                assert await _codes(factory, Branch.version > cursor) == set()  # empty pull
                async with factory() as a:  # a writer of this database holds it back
                    a.add(_branch("OPEN"))
                    await a.flush()
                    held = await a.run_sync(versioning.next_version)
                    async with factory() as reader:
                        assert await versioning.current_version(reader) < held
                    await a.commit()
                await elsewhere.rollback()
        finally:
            await engine.dispose()
            await other.dispose()

    asyncio.run(scenario())


@pytest.mark.skipif(BACKEND != "postgresql", reason="the base exists on PostgreSQL only")
def test_rebase_lifts_new_versions_above_a_restored_database(migrated_url: str) -> None:
    """A dump restored into a cluster with lower transaction ids: its rows carry versions
    above what the new cluster would stamp. ``rebase`` raises the base once, so new writes
    and cursors land above every stamped version."""

    async def scenario() -> None:
        engine = create_engine(migrated_url)
        factory = session_factory(engine)
        try:
            async with factory() as s:
                s.add(_branch("OLD"))
                await s.commit()
            far = 10**15  # as if stamped by a cluster far ahead of this one
            async with factory() as s:
                await s.execute(
                    text("UPDATE branches SET version = :v WHERE code = 'OLD'"), {"v": far}
                )
                await s.commit()
            async with factory() as s:
                assert await versioning.rebase(s)
                await s.commit()
            async with factory() as s:
                assert not await versioning.rebase(s)  # once is enough
                assert await versioning.current_version(s) >= far
                s.add(_branch("NEW"))
                await s.commit()
            versions = await _versions(factory, ["OLD", "NEW"])
            assert versions["NEW"] > far
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
                if BACKEND == "sqlite":  # nothing drawn yet: savepoints do not take the clock
                    assert await versioning.current_version(s) == before
                await s.commit()
            versions = await _versions(factory, ["S0", "S1", "S2", "S3"])
            assert set(versions) == {"S0", "S1", "S3"}
            assert len(set(versions.values())) == 1  # one version for the whole unit of work
            assert versions["S0"] > before
            if BACKEND == "sqlite":
                assert versions["S0"] == before + 1
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
            assert versions["L1"] != versions["L2"]  # two transactions, two versions
        finally:
            await engine.dispose()

    asyncio.run(scenario())


@pytest.mark.skipif(BACKEND != "postgresql", reason="SQLite stamps at commit (its counter)")
def test_orm_rows_carry_their_version_in_their_own_write(migrated_url: str) -> None:
    """PostgreSQL: a row the ORM inserts or updates is written with the transaction's version
    (no stamping UPDATE at commit), a bulk statement's row is stamped at commit, and both
    carry the same version."""

    async def scenario() -> None:
        engine = create_engine(migrated_url)
        factory = session_factory(engine)
        seen: list[str] = []

        def record(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
            seen.append(" ".join(statement.split()))

        try:
            async with factory() as s:
                s.add_all([_branch("O1"), _branch("B1")])
                await s.commit()
            event.listen(engine.sync_engine, "before_cursor_execute", record)
            async with factory() as s:
                orm = (await s.execute(select(Branch).where(Branch.code == "O1"))).scalar_one()
                orm.name = "by the ORM"
                s.add(_branch("O2"))
                bulk = await s.execute(
                    update(Branch)
                    .where(Branch.code == "B1")
                    .values(name="in bulk")
                    .returning(Branch.id)
                )
                versioning.mark_changed(s, Branch.__table__, [bulk.scalar_one()])  # type: ignore[arg-type]
                await s.commit()
            event.remove(engine.sync_engine, "before_cursor_execute", record)
            versions = await _versions(factory, ["O1", "O2", "B1"])
            assert len(set(versions.values())) == 1, versions
            stamping = [q for q in seen if q.startswith("UPDATE branches SET") and "version" in q]
            # the bulk row's stamp at commit, and the ORM's own UPDATE of O1 naming its version
            assert len(stamping) == 2, stamping
            assert sum("name=" in q for q in stamping) == 1, stamping
        finally:
            await engine.dispose()

    asyncio.run(scenario())
