"""Migration 0015u: a card left active on a machine taken away goes back to awaiting
activation; the cards of installed machines stay as they are. Migration 0015v: an active
card belongs to its machine's branch."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select, update

from tests.factories import execute, fetch
from wellspring.api import migrations
from wellspring.demo import load_demo_data
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models.enums import CardStatus, DeviceStatus

BEFORE = "0015s"  # 0015u and 0015v change rows only


def _load(url: str) -> None:
    """The demo at ``BEFORE``: written by today's models at head, then migrated down (the
    models' tables are no longer those of 0015s: later migrations add columns)."""
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


def test_cards_left_on_machines_taken_away_are_released(empty_database_url: str) -> None:
    url = empty_database_url
    _load(url)
    gone = fetch(
        url, select(m.Device.id, m.Device.status).where(m.Device.status != DeviceStatus.INSTALLED)
    )
    assert gone
    left = fetch(url, select(m.AccountCard.id).where(m.AccountCard.status == CardStatus.ACTIVE))
    stale, kept = left[0][0], [row[0] for row in left[1:]]
    assert kept
    # As an uninstall before the fix left it: active, on a machine no longer at a site.
    execute(
        url, update(m.AccountCard).where(m.AccountCard.id == stale).values(device_id=gone[0][0])
    )
    migrations.upgrade(url)
    rows = dict(
        fetch(
            url,
            select(m.AccountCard.id, m.AccountCard.status).where(
                m.AccountCard.id.in_([stale, *kept])
            ),
        )
    )
    assert rows.pop(stale) is CardStatus.AWAITING_ACTIVATION
    assert set(rows.values()) == {CardStatus.ACTIVE}
    ((customer, device, cancelled),) = fetch(
        url,
        select(
            m.AccountCard.customer_id, m.AccountCard.device_id, m.AccountCard.cancelled_at
        ).where(m.AccountCard.id == stale),
    )
    assert (customer, device) == (None, None)
    assert cancelled is not None
    assert cancelled.tzinfo is not None


def test_an_active_card_moves_to_its_machines_branch(empty_database_url: str) -> None:
    url = empty_database_url
    _load(url)
    branches = [row[0] for row in fetch(url, select(m.Branch.id).order_by(m.Branch.code))]
    active = select(m.AccountCard.id, m.Device.branch_id).join(
        m.Device, m.Device.id == m.AccountCard.device_id
    )
    rows = fetch(url, active.where(m.AccountCard.status == CardStatus.ACTIVE))
    (moved, home), kept = rows[0], rows[1:]
    assert kept
    elsewhere = next(b for b in branches if b != home)
    # As an install before the fix left it: bound, but still the other branch's.
    execute(url, update(m.AccountCard).where(m.AccountCard.id == moved).values(branch_id=elsewhere))
    spare = fetch(
        url,
        select(m.AccountCard.id, m.AccountCard.branch_id).where(
            m.AccountCard.status != CardStatus.ACTIVE
        ),
    )
    migrations.upgrade(url)
    card_branch = select(m.AccountCard.id, m.AccountCard.branch_id)
    after = dict(fetch(url, card_branch))
    assert after[moved] == home
    assert all(after[card] == branch for card, branch in kept)
    assert all(after[card] == branch for card, branch in spare)  # unbound cards stay put
