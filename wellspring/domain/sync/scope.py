"""What an engineer's phone may hold right now: record ids and their change versions.

The phone's visibility rule, beside ``policy.py``'s for the API: an engineer's phone holds
their open jobs and those closed in the last ``RECENT`` days, and what those jobs need (the
tickets, customers, addresses, devices and models), their van's stock, and the records of
those jobs (consumptions, water tests, notes, and the engineer's own events), and the published
knowledge-base articles for the device models it holds.

Read with narrow queries (ids and versions only) that follow the engineer's jobs, so a pull
costs what the engineer's scope and the changes cost, never the size of the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import models as m
from ..actor import Actor
from ..errors import present
from ..inventory.line_keys import batch_of_first_line
from ..models.enums import JOB_OPEN_STATUSES, ArticleStatus, LedgerKind

RECENT = dt.timedelta(days=7)  # closed jobs stay on the phone this long
CHUNK = 500


@dataclass
class Scope:
    """Per table: record id -> change version (the phone's ids; see ``phone_id``)."""

    versions: dict[str, dict[str, int]] = field(default_factory=dict)
    # part_consumptions: phone id -> ledger entry id (one made on a phone keeps its id).
    entry_ids: dict[str, str] = field(default_factory=dict)


def chunks(values: Sequence[str] | set[str]) -> Iterable[list[str]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def phone_id(entry_id: str, client_id: str | None) -> str:
    """A consumption's id on the phone: the phone's own id when it was made there (the batch
    key of its first line), else the ledger entry's."""
    return batch_of_first_line(client_id) or entry_id


async def _pairs(session: AsyncSession, stmt: Select[Any] | Any) -> list[Any]:
    return list((await session.execute(stmt)).all())


async def _by_ids(session: AsyncSession, model: Any, ids: set[str], *extra: Any) -> list[Any]:
    rows: list[Any] = []
    for part in chunks(ids):
        stmt = select(model.id, model.version, *extra).where(
            model.id.in_(part), model.deleted_at.is_(None)
        )
        rows.extend(await _pairs(session, stmt))
    return rows


async def engineer_scope(session: AsyncSession, actor: Actor, now: dt.datetime) -> Scope:
    technician_id = present(actor.technician_id, "the engineer's technician id")
    scope = Scope()
    v = scope.versions
    jobs = await _pairs(
        session,
        select(m.Job.id, m.Job.version, m.Job.ticket_id).where(
            m.Job.technician_id == technician_id,
            m.Job.deleted_at.is_(None),
            or_(
                m.Job.status.in_(JOB_OPEN_STATUSES),
                m.Job.completed_at >= now - RECENT,
                and_(m.Job.completed_at.is_(None), m.Job.updated_at >= now - RECENT),
            ),
        ),
    )
    v["jobs"] = {j: ver for j, ver, _ in jobs}
    job_ids = set(v["jobs"])
    tickets = await _by_ids(
        session,
        m.Ticket,
        {t for _, _, t in jobs},
        m.Ticket.customer_id,
        m.Ticket.address_id,
        m.Ticket.device_id,
    )
    v["tickets"] = {t: ver for t, ver, *_ in tickets}
    devices = await _by_ids(
        session,
        m.Device,
        {d for *_, d in tickets if d},
        m.Device.address_id,
        m.Device.device_model_id,
    )
    v["devices"] = {d: ver for d, ver, *_ in devices}
    v["customers"] = dict(
        (c, ver) for c, ver in await _by_ids(session, m.Customer, {c for _, _, c, _, _ in tickets})
    )
    addresses = {a for _, _, _, a, _ in tickets if a} | {a for _, _, a, _ in devices if a}
    v["addresses"] = dict((a, ver) for a, ver in await _by_ids(session, m.Address, addresses))
    v["device_models"] = dict(
        (d, ver) for d, ver in await _by_ids(session, m.DeviceModel, {x for *_, x in devices})
    )
    v["van_stock"] = dict(
        await _pairs(
            session,
            select(m.StockBalance.id, m.StockBalance.version)
            .join(m.Warehouse, m.Warehouse.id == m.StockBalance.warehouse_id)
            .where(m.Warehouse.technician_id == technician_id),
        )
    )
    v["part_consumptions"] = {}
    v["water_tests"] = {}
    v["job_notes"] = {}
    v["job_events"] = {}
    v["attachments"] = {}
    for part in chunks(job_ids):
        for entry_id, version, client_id in await _pairs(
            session,
            select(m.StockEntry.id, m.StockEntry.version, m.StockEntry.client_id).where(
                m.StockEntry.job_id.in_(part), m.StockEntry.kind == LedgerKind.CONSUMPTION
            ),
        ):
            pid = phone_id(entry_id, client_id)
            v["part_consumptions"][pid] = version
            scope.entry_ids[pid] = entry_id
        for model, table in (
            (m.WaterTest, "water_tests"),
            (m.JobNote, "job_notes"),
            (m.JobEvent, "job_events"),
            (m.Attachment, "attachments"),
        ):
            stmt = select(model.id, model.version).where(
                model.job_id.in_(part), model.deleted_at.is_(None)
            )
            if model is m.JobEvent:
                stmt = stmt.where(m.JobEvent.actor_id == actor.user_id)
            v[table].update(dict(await _pairs(session, stmt)))
    v["articles"] = await _articles(session, set(v["device_models"]))
    return scope


async def _articles(session: AsyncSession, model_ids: set[str]) -> dict[str, int]:
    """Published knowledge-base articles for the device models the phone holds."""
    found: dict[str, int] = {}
    for part in chunks({f"m:{i}" for i in model_ids}):
        stmt = (
            select(m.Article.id, m.Article.version)
            .join(m.ArticleTerm, m.ArticleTerm.article_id == m.Article.id)
            .where(
                m.ArticleTerm.term.in_(part),
                m.Article.status == ArticleStatus.PUBLISHED,
                m.Article.deleted_at.is_(None),
            )
        )
        found.update(dict(await _pairs(session, stmt)))
    return found
