"""A mutation request of one field runs its work without a savepoint, since the transaction
is that field's alone (issue 19 §4: a SAVEPOINT and its RELEASE were two round trips of every
mutation a phone sends), and a refusal still changes nothing but what it keeps."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.testclient import TestClient

from tests.api.seen import count_statements, doc, recorded
from tests.conftest import GraphQL, run
from wellspring.domain import audit
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.auth import AuthConfig
from wellspring.domain.db import create_engine, declare_writes, session_factory
from wellspring.domain.errors import DomainError, PermissionDenied
from wellspring.schema.core.context import RequestContext
from wellspring.schema.core.dataloaders import Loaders
from wellspring.schema.core.mutation import Failed, run_in_savepoint

ENGINEER = "tech-sh-1"


def _savepoints(statements: list[str]) -> list[str]:
    return [s for s in statements if s.upper().startswith("SAVEPOINT")]


async def _position(url: str) -> tuple[float | None, float | None]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    select(m.Technician.position_latitude, m.Technician.position_longitude)
                    .join(m.User, m.User.id == m.Technician.user_id)
                    .where(m.User.username == ENGINEER)
                )
            ).one()
            return row[0], row[1]
    finally:
        await engine.dispose()


def test_a_mutation_of_one_field_sends_no_savepoint(gql: GraphQL, client: TestClient) -> None:
    near = {"latitude": 31.2301, "longitude": 121.4702, "accuracy": 12.0}
    gql.token(ENGINEER)  # signed in before counting
    with count_statements(client) as statements:
        moved = gql.data(doc("UpdateLocation"), near, as_user=ENGINEER)["updateLocation"]
    assert moved["errors"] == []
    assert moved["position"]["latitude"] == near["latitude"]
    assert any(s.startswith("UPDATE technicians") for s in statements)
    assert _savepoints(statements) == [], statements


def test_two_fields_each_run_in_a_savepoint_and_a_refusal_keeps_the_other(
    gql: GraphQL, client: TestClient, database_url: str
) -> None:
    document = """mutation($lat: Float!, $lng: Float!) {
        a: updateLocation(input: {latitude: $lat, longitude: $lng}) { errors { code } }
        b: updateLocation(input: {latitude: 91, longitude: 0}) { errors { code } }
    }"""
    where = {"lat": 31.2407, "lng": 121.4811}
    gql.token(ENGINEER)
    with count_statements(client) as statements:
        answer = gql.data(document, where, as_user=ENGINEER)
    assert answer["a"]["errors"] == []
    assert [e["code"] for e in answer["b"]["errors"]] == ["INVALID_COORDINATES"]
    # (SQLAlchemy sends a savepoint's SAVEPOINT with its first statement: b has none)
    assert _savepoints(statements) == ["SAVEPOINT sa_savepoint_1"], statements
    assert run(_position(database_url)) == (where["lat"], where["lng"])


# -- run_in_savepoint itself, on a real session, as the endpoint runs a one-field mutation --


Call = Callable[[RequestContext], Awaitable[Any]]


async def _request(
    url: str,
    *calls: Call,
    before: Call | None = None,
    logged: tuple[str, ...] = (),
    hooks: list[Any] | None = None,
) -> tuple[list[Any], list[str], list[str]]:
    """The endpoint's steps: the write lock, a one-field context, the field's calls in turn,
    then a commit (an expected error is answered with a commit too); then which of the
    ``logged`` audit actions were written, from a session of its own. ``hooks`` receives
    what the context holds to run after the commit."""
    engine = create_engine(url)
    try:
        results, statements = await _steps(engine, calls, before, hooks)
        return results, statements, await _logged(session_factory(engine), *logged)
    finally:
        await engine.dispose()


async def _steps(
    engine: AsyncEngine, calls: tuple[Call, ...], before: Call | None, hooks: list[Any] | None
) -> tuple[list[Any], list[str]]:
    results: list[Any] = []
    async with session_factory(engine)() as session:
        with recorded(engine.sync_engine) as statements:
            await declare_writes(session)
            ctx = RequestContext(
                session=session,
                actor=SYSTEM,
                locale="en",
                auth=AuthConfig(secret_key="x" * 32),
                loaders=Loaders(session, SYSTEM),
                now=m.utcnow(),
                sole_field=True,
            )
            if before is not None:
                await before(ctx)
            try:
                for call in calls:
                    results.append(await run_in_savepoint(ctx, lambda c=call: c(ctx)))  # type: ignore[misc]
            except PermissionDenied as error:
                results.append(error)
            await session.commit()
            if hooks is not None:
                hooks.extend(ctx.after_commit)
    return results, statements


def _writes(action: str) -> Call:
    async def call(ctx: RequestContext) -> str:
        audit.record(ctx.session, SYSTEM, action, entity_type="Probe")
        await ctx.session.flush()
        return action

    return call


def _refuses(action: str, kept: str | None = None) -> Call:
    async def call(ctx: RequestContext) -> None:
        await _writes(action)(ctx)
        error = DomainError("INVALID_ARGUMENT", field="probe")
        if kept is not None:
            error.keep = (audit.entry(SYSTEM, kept, entity_type="Probe"),)
        raise error

    return call


def _denied(action: str) -> Call:
    async def call(ctx: RequestContext) -> None:
        await _writes(action)(ctx)
        raise PermissionDenied

    return call


async def _logged(factory: async_sessionmaker[AsyncSession], *actions: str) -> list[str]:
    async with factory() as session:
        rows = await session.execute(
            select(m.AuditEntry.action, func.count())
            .where(m.AuditEntry.action.in_(actions))
            .group_by(m.AuditEntry.action)
        )
        return sorted(action for action, count in rows for _ in range(count))


def _names(*labels: str) -> list[str]:
    tag = uuid.uuid4().hex[:8]
    return [f"probe.{label}.{tag}" for label in labels]


def test_a_refused_field_writes_only_what_it_keeps(database_url: str) -> None:
    work, kept = _names("work", "kept")
    results, statements, logged = run(
        _request(database_url, _refuses(work, kept), logged=(work, kept))
    )
    assert isinstance(results[0], Failed)
    assert [e.code for e in results[0]] == ["INVALID_ARGUMENT"]
    assert _savepoints(statements) == []
    assert logged == [kept]


def test_a_field_denied_after_writing_keeps_nothing(database_url: str) -> None:
    (work,) = _names("denied")
    results, statements, logged = run(_request(database_url, _denied(work), logged=(work,)))
    assert isinstance(results[0], PermissionDenied)
    assert _savepoints(statements) == []
    assert logged == []


def test_a_later_call_of_the_same_field_has_its_own_savepoint(database_url: str) -> None:
    first, second, kept = _names("first", "second", "kept")
    results, statements, logged = run(
        _request(database_url, _writes(first), _refuses(second, kept), logged=(first, second, kept))
    )
    assert results[0] == first
    assert isinstance(results[1], Failed)
    assert len(_savepoints(statements)) == 1
    assert logged == sorted([first, kept])


def test_work_pending_before_the_first_call_is_kept_by_a_savepoint(database_url: str) -> None:
    earlier, work = _names("earlier", "work")

    async def before(ctx: RequestContext) -> None:
        audit.record(ctx.session, SYSTEM, earlier, entity_type="Probe")

    results, statements, logged = run(
        _request(database_url, _refuses(work), before=before, logged=(earlier, work))
    )
    assert isinstance(results[0], Failed)
    assert len(_savepoints(statements)) == 1
    assert logged == [earlier]


def _hooked(call: Call, hook: str) -> Call:
    """``call``, having first asked for ``hook`` to run after the commit (as StartImport
    does for its background batches)."""

    async def hooked(ctx: RequestContext) -> Any:
        ctx.after_commit.append(hook)
        return await call(ctx)

    return hooked


def test_a_refused_call_leaves_nothing_to_run_after_the_commit(database_url: str) -> None:
    """The work a refused call asked to start after the commit is dropped with its writes,
    with a savepoint or without one."""
    first, second, third = _names("first", "second", "third")
    hooks: list[Any] = []
    results, _statements, logged = run(
        _request(
            database_url,
            _hooked(_refuses(first), "after-first"),
            _hooked(_writes(second), "after-second"),
            _hooked(_refuses(third), "after-third"),
            logged=(first, second, third),
            hooks=hooks,
        )
    )
    assert [type(r) for r in results] == [Failed, str, Failed]
    assert hooks == ["after-second"]
    assert logged == [second]


# -- a call that loses a race the database settles runs once more (PostgreSQL only: SQLite
# serialises writers, so no write of one ever meets another's) --


async def _commit_elsewhere(url: str, code: str, name: str = "first") -> None:
    """Another request's fault code, committed between this call's read and its write."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            session.add(m.FaultCode(code=code, name_zh="先到", name_en=name))
    finally:
        await engine.dispose()


def _code() -> str:
    return f"R{uuid.uuid4().hex[:12]}".upper()


def _creates(url: str, codes: Callable[[], str], action: str, tries: list[str]) -> Call:
    """Creates a fault code unless it exists, as UpsertFaultCode does; the winner's code is
    committed after the check, as when two requests create one code at once. It also reads
    the row the request loaded before it (``_holding``)."""

    async def call(ctx: RequestContext) -> str:
        tries.append(ctx.session.info["probe.held"].name_en)  # expired by a rollback?
        code = codes()
        if await ctx.session.scalar(select(m.FaultCode.id).where(m.FaultCode.code == code)):
            return "met the winner"
        audit.record(ctx.session, SYSTEM, action, entity_type="Probe")
        await _commit_elsewhere(url, code)
        ctx.session.add(m.FaultCode(code=code, name_zh="后到", name_en="second"))
        await ctx.session.flush()
        return "created"

    return call


def _holding(url: str) -> Call:
    """Loads a row before the field runs, as the token check loads the user's."""
    code = _code()
    run(_commit_elsewhere(url, code, name="held"))

    async def before(ctx: RequestContext) -> None:
        held = await ctx.session.scalar(select(m.FaultCode).where(m.FaultCode.code == code))
        ctx.session.info["probe.held"] = held

    return before


@pytest.mark.usefixtures("postgresql_only")
@pytest.mark.parametrize("fields", [1, 2], ids=["sole-field", "savepoint"])
def test_a_call_that_loses_a_race_runs_again_and_meets_the_winner(
    database_url: str, fields: int
) -> None:
    """The second attempt finds the winner's code and answers as if sent after it; the first
    attempt's writes are gone, and the row loaded before the call reads again."""
    code, (lost, earlier) = _code(), _names("lost", "earlier")
    tries: list[str] = []
    calls = [_writes(earlier), _creates(database_url, lambda: code, lost, tries)][-fields:]
    results, statements, logged = run(
        _request(database_url, *calls, before=_holding(database_url), logged=(lost, earlier))
    )
    assert results[-1] == "met the winner"
    assert tries == ["held", "held"]
    assert logged == ([] if fields == 1 else [earlier])
    # one field: no savepoint; after a first field, a savepoint for each attempt
    assert len(_savepoints(statements)) == (0 if fields == 1 else 2)


@pytest.mark.usefixtures("postgresql_only")
def test_a_call_that_loses_twice_answers_concurrent_change(database_url: str) -> None:
    (lost,) = _names("lost")
    tries: list[str] = []
    results, _statements, logged = run(
        _request(
            database_url,
            _creates(database_url, _code, lost, tries),  # a new winner every time
            before=_holding(database_url),
            logged=(lost,),
        )
    )
    assert isinstance(results[0], Failed)
    assert [e.code for e in results[0]] == ["CONCURRENT_CHANGE"]
    assert len(tries) == 2
    assert logged == []
