"""At most ``MAX_FIELDS`` active custom fields per entity, however they come into use: made
new, put back in use, or two made at once (domain/custom_fields/definitions.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import race
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.factories import execute, in_rollback, scalars
from wellspring.domain.actor import SYSTEM
from wellspring.domain.custom_fields.definitions import MAX_FIELDS, FieldDefinition, define
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.errors import DomainError
from wellspring.domain.models import CustomField
from wellspring.domain.models.enums import CustomFieldEntity, CustomFieldType

ENTITY = CustomFieldEntity.CUSTOMER
PREFIX = "limit_"


def _new(key: str, **change: Any) -> FieldDefinition:
    return FieldDefinition(
        entity=ENTITY, key=key, type=CustomFieldType.TEXT, label_zh="上限", label_en="Limit",
        **change,
    )  # fmt: skip


def _key() -> str:
    return PREFIX + uuid.uuid4().hex[:8]


def _active() -> Any:
    return select(func.count()).where(
        CustomField.entity == ENTITY,
        CustomField.is_active.is_(True),
        CustomField.deleted_at.is_(None),
    )


async def _fill(session: AsyncSession, up_to: int) -> list[str]:
    """New active fields until the entity has ``up_to``: their keys."""
    keys = [_key() for _ in range(up_to - int(await session.scalar(_active()) or 0))]
    for key in keys:
        await define(session, SYSTEM, change=_new(key))
    return keys


def test_no_field_comes_into_use_past_the_limit(database_url: str) -> None:
    async def body(session: AsyncSession) -> list[str]:
        mine = await _fill(session, MAX_FIELDS)
        codes = []
        for change in (_new(_key()), FieldDefinition(ENTITY, mine[0], is_active=False)):
            try:
                await define(session, SYSTEM, change=change)
                codes.append("")
            except DomainError as refused:
                codes.append(f"{refused.code}:{refused.field}")
        await define(session, SYSTEM, change=_new(_key()))  # room again: one was put away
        try:
            await define(session, SYSTEM, change=FieldDefinition(ENTITY, mine[0], is_active=True))
        except DomainError as refused:
            codes.append(f"{refused.code}:{refused.field}")
        return codes

    # Putting a field back in use counted nothing: deactivate one, make another, reactivate.
    assert in_rollback(database_url, body) == ["TOO_MANY_ITEMS:key", "", "TOO_MANY_ITEMS:is_active"]


@pytest.fixture
def put_away(database_url: str) -> Iterator[None]:
    """The fields this module made leave use after the test (the database is shared)."""
    yield
    now = dt.datetime.now(dt.UTC)
    execute(database_url, update(CustomField).where(CustomField.key.startswith(PREFIX))
            .values(is_active=False, deleted_at=now))  # fmt: skip


def test_two_new_fields_at_once_do_not_pass_the_limit(
    database_url: str, gql: GraphQL, postgresql_only: None, put_away: None
) -> None:
    """With one place left, a field being made (uncommitted) and another asked for: both
    counted one place and the entity ended with one field too many."""

    async def fill() -> None:
        engine = create_engine(database_url)
        try:
            async with transaction(session_factory(engine)) as session:
                await _fill(session, MAX_FIELDS - 1)
        finally:
            await engine.dispose()

    asyncio.run(fill())

    async def hold(session: AsyncSession) -> None:  # the last place taken, not committed
        await define(session, SYSTEM, change=_new(_key()))

    field = {"entity": ENTITY.value, "key": _key(), "type": "TEXT", "labelZh": "上限"}
    answer = race(database_url, gql, "hq", hold, doc("DefineCustomField"), {"input": field})
    errors = answer["data"]["defineCustomField"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("TOO_MANY_ITEMS", "key")]
    assert scalars(database_url, _active()) == [MAX_FIELDS]
