"""The demo data: deterministic, complete for the demo accounts, histories that chain along
the state machine's edges, due times from the domain's SLA."""

from __future__ import annotations

import asyncio
import datetime as dt
from itertools import groupby, pairwise

import pytest
from sqlalchemy import func, select

from tests.conftest import make_database
from tests.factories import fetch
from wellspring.api import migrations
from wellspring.demo import DEMO_USERNAMES, DemoDataError, chains, load_demo_data
from wellspring.domain import models as m
from wellspring.domain.agents import territory
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.errors import DomainError
from wellspring.domain.models.enums import JobStatus, TicketStatus, TicketType
from wellspring.domain.workflow import sla, states

# The demo is laid out around the moment it is given; the same moment gives the same rows.
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def _load(url: str, scale: int) -> None:
    async def go() -> None:
        engine = create_engine(url)
        try:
            async with transaction(session_factory(engine)) as session:
                await load_demo_data(session, scale=scale, now=NOW)
        finally:
            await engine.dispose()

    asyncio.run(go())


def test_same_scale_and_seed_give_the_same_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    snapshots = []
    for label in ("one", "two"):
        url, drop = make_database(tmp_path, label)
        try:
            migrations.upgrade(url)
            _load(url, 40)
            snapshots.append(
                (
                    fetch(url, select(m.Customer.id, m.Customer.name, m.Customer.phone)),
                    fetch(
                        url,
                        select(m.Ticket.id, m.Ticket.number, m.Ticket.status, m.Ticket.due_at),
                    ),
                    fetch(url, select(m.Device.id, m.Device.serial_number)),
                )
            )
            with pytest.raises(DemoDataError):
                _load(url, 40)
        finally:
            drop()
    assert sorted(snapshots[0][0]) == sorted(snapshots[1][0])
    assert sorted(snapshots[0][1]) == sorted(snapshots[1][1])
    assert sorted(snapshots[0][2]) == sorted(snapshots[1][2])


def test_every_demo_account_exists_and_every_row_is_versioned(database_url: str) -> None:
    usernames = {row[0] for row in fetch(database_url, select(m.User.username))}
    assert set(DEMO_USERNAMES) <= usernames
    for model in (m.Customer, m.Device, m.Ticket, m.Job, m.TicketStatusChange, m.User):
        versions = {row[0] for row in fetch(database_url, select(model.version))}
        assert versions, model
        assert 0 not in versions, model


def test_histories_chain_from_creation_to_the_current_status(database_url: str) -> None:
    for parent, change, key in (
        (m.Ticket, m.TicketStatusChange, m.TicketStatusChange.ticket_id),
        (m.Job, m.JobStatusChange, m.JobStatusChange.job_id),
    ):
        status = dict(fetch(database_url, select(parent.id, parent.status)))
        rows = fetch(
            database_url,
            select(key, change.from_status, change.to_status).order_by(key, change.at, change.id),
        )
        chained = 0
        for parent_id, group in groupby(rows, key=lambda r: r[0]):
            steps = list(group)
            assert steps[0][1] is None, parent_id
            for before, after in pairwise(steps):
                assert after[1] == before[2], parent_id
            assert steps[-1][2] == status[parent_id], parent_id
            chained += 1
        assert chained == len(status)


def test_every_history_row_is_an_edge_of_the_state_machine(database_url: str) -> None:
    for change, edges in (
        (m.TicketStatusChange, states.TICKET_EDGES),
        (m.JobStatusChange, states.JOB_EDGES),
    ):
        rows = fetch(database_url, select(change.from_status, change.to_status))
        assert rows, change
        illegal = {(source, target) for source, target in rows} - edges
        assert not illegal, (change, illegal)


def test_due_times_follow_the_domain_sla(database_url: str) -> None:
    # The demo's own tickets: those still at the version the load stamped on everything.
    loaded = select(func.min(m.Branch.version)).scalar_subquery()
    rows = fetch(
        database_url,
        select(m.Ticket.created_at, m.Ticket.type, m.Ticket.priority, m.Ticket.due_at).where(
            m.Ticket.version == loaded
        ),
    )
    assert {type_ for _, type_, _, _ in rows} & {TicketType.INSTALL, TicketType.COMPLAINT}
    for created, type_, priority, due in rows:
        assert _utc(due) == sla.due_at(_utc(created), type_, priority)


def test_a_chain_the_state_machine_forbids_is_refused() -> None:
    with pytest.raises(DomainError):
        chains.legal(states.TICKET_EDGES, [TicketStatus.CREATED, TicketStatus.EN_ROUTE])
    assert chains.ticket_chain(TicketStatus.CANCELLED, TicketStatus.APPOINTED)[-2:] == [
        TicketStatus.APPOINTED,
        TicketStatus.CANCELLED,
    ]
    assert chains.job_chain(chains.ticket_chain(TicketStatus.CLOSED)) == [
        JobStatus.PENDING,
        JobStatus.ASSIGNED,
        JobStatus.ACCEPTED,
        JobStatus.EN_ROUTE,
        JobStatus.ON_SITE,
        JobStatus.COMPLETED,
    ]


def _utc(at: dt.datetime) -> dt.datetime:
    """SQLite hands back naive UTC times, PostgreSQL aware ones."""
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def test_every_agent_has_a_territory_its_customers_live_in(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The territory check of a new customer through an agent reads the structured areas:
    the demo's agents have them (a free-text territory alone checks nothing)."""
    url, drop = make_database(tmp_path, "territory")
    try:
        migrations.upgrade(url)
        _load(url, 150)
        agents = {a.id: a for (a,) in fetch(url, select(m.Agent))}
        assert agents
        assert all(a.territory_areas for a in agents.values())
        homes = fetch(
            url,
            select(m.Customer.agent_id, m.Address.province, m.Address.city, m.Address.district)
            .join(m.Address, m.Address.customer_id == m.Customer.id)
            .where(m.Customer.agent_id.is_not(None)),
        )
        assert homes
        for agent_id, province, city, district in homes:
            areas = agents[agent_id].territory_areas
            assert territory.covers(areas, province, city, district), (province, city, district)
    finally:
        drop()
