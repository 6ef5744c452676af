"""Migration 0016c: codes stored before they were upper-cased on write are upper-cased (and
the device model codes parts list as compatible); codes that differ only in case stop it
with the rows named, changing nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from tests.factories import execute, fetch
from wellspring.api import migrations
from wellspring.demo import load_demo_data
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction

BEFORE = "0016b"
# (model, code column) of each code the migration upper-cases
CODES: list[tuple[Any, str]] = [
    (m.Branch, "code"),
    (m.Agent, "code"),
    (m.ServiceOutlet, "code"),
    (m.Warehouse, "code"),
    (m.Part, "sku"),
    (m.DeviceModel, "code"),
    (m.Customer, "code"),
]


def _load(url: str) -> None:
    """The demo at ``BEFORE``: written at head, then migrated down."""
    migrations.upgrade(url)

    async def go() -> None:
        engine = create_engine(url)
        try:
            async with transaction(session_factory(engine)) as session:
                await load_demo_data(session, scale=20, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        finally:
            await engine.dispose()

    asyncio.run(go())
    migrations.downgrade(url, BEFORE)


def _lower(url: str, model: Any, column: str, id_: str, like: str | None = None) -> None:
    """Store a code lowercase, as the older version did (a SQL expression: the column type
    would upper-case a value bound to it); ``like`` takes another row's code lowercased."""
    table = model.__table__
    source = table.c[column]
    if like is not None:
        source = select(table.c[column]).where(table.c.id == like).scalar_subquery()
    execute(url, update(table).where(table.c.id == id_).values({column: func.lower(source)}))


def _codes(url: str, model: Any, column: str) -> dict[str, str]:
    table = model.__table__
    return dict(fetch(url, select(table.c.id, table.c[column])))


def test_codes_stored_lowercase_are_upper_cased(empty_database_url: str) -> None:
    url = empty_database_url
    _load(url)
    lowered: dict[str, tuple[str, str]] = {}
    for model, column in CODES:
        rows = fetch(url, select(model.id, getattr(model, column)).order_by(model.id).limit(1))
        assert rows, model
        ((id_, code),) = rows
        _lower(url, model, column, id_)
        assert _codes(url, model, column)[id_] == code.lower()
        lowered[model.__tablename__] = (id_, code)
    part_id, _ = lowered["parts"]
    model_code = lowered["device_models"][1]
    execute(
        url,
        update(m.Part)
        .where(m.Part.id == part_id)
        .values(compatible_models=[model_code.lower(), "other-1"]),
    )
    before = {model: _codes(url, model, column) for model, column in CODES}

    migrations.upgrade(url)
    for model, column in CODES:
        after = _codes(url, model, column)
        assert after == {k: v.upper() for k, v in before[model].items()}
        id_, code = lowered[model.__tablename__]
        assert after[id_] == code.upper()
    fits = fetch(url, select(m.Part.compatible_models).where(m.Part.id == part_id))
    assert fits == [([model_code.upper(), "OTHER-1"],)]


def test_codes_equal_but_for_case_stop_the_upgrade_and_are_named(empty_database_url: str) -> None:
    url = empty_database_url
    _load(url)
    (first, first_code), (second, _) = fetch(
        url, select(m.Agent.id, m.Agent.code).order_by(m.Agent.id).limit(2)
    )
    _lower(url, m.Agent, "code", second, like=first)
    before = _codes(url, m.Agent, "code")
    assert before[second] == first_code.lower()

    with pytest.raises(RuntimeError) as refused:
        migrations.upgrade(url)
    assert first in str(refused.value)
    assert second in str(refused.value)
    assert "agents.code: " in str(refused.value)
    assert _codes(url, m.Agent, "code") == before
    assert fetch(url, text("SELECT version_num FROM alembic_version")) == [(BEFORE,)]
