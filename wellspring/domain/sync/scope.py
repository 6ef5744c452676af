"""What an engineer's phone may hold right now: record ids and their change versions.

The phone's visibility rule, beside ``policy.py``'s for the API: an engineer's phone holds
their open jobs and those closed in the last ``RECENT`` days, and what those jobs need (the
tickets, customers, addresses, devices and models), their van's stock, and the records of
those jobs (consumptions, water tests, notes, and the engineer's own events), and the published
knowledge-base articles for the device models it holds.

Read with narrow queries (ids and versions only) that follow the engineer's jobs by
subqueries, so a pull costs what the engineer's scope and the changes cost, never the size of
the database.
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


def _live(model: Any, ids: Any) -> Any:
    """``model``'s live rows among the ids a subquery names."""
    return and_(model.id.in_(ids), model.deleted_at.is_(None))


async def engineer_scope(session: AsyncSession, actor: Actor, now: dt.datetime) -> Scope:
    """Each table is one statement that follows the engineer's jobs by subqueries, not lists of
    ids: no 500-id ``IN`` lists to compile and bind, and a plan that probes the indexes of the
    jobs' rows at any database size (PostgreSQL scanned whole tables for the lists at 10x)."""
    technician_id = present(actor.technician_id, "the engineer's technician id")
    scope = Scope()
    v = scope.versions
    mine = and_(
        m.Job.technician_id == technician_id,
        m.Job.deleted_at.is_(None),
        or_(
            m.Job.status.in_(JOB_OPEN_STATUSES),
            m.Job.completed_at >= now - RECENT,
            and_(m.Job.completed_at.is_(None), m.Job.updated_at >= now - RECENT),
        ),
    )
    job_ids = select(m.Job.id).where(mine).scalar_subquery()
    tickets = _live(m.Ticket, select(m.Job.ticket_id).where(mine).scalar_subquery())
    devices = _live(m.Device, select(m.Ticket.device_id).where(tickets).scalar_subquery())
    v["jobs"] = dict(await _pairs(session, select(m.Job.id, m.Job.version).where(mine)))
    v["tickets"] = dict(await _pairs(session, select(m.Ticket.id, m.Ticket.version).where(tickets)))
    v["devices"] = dict(await _pairs(session, select(m.Device.id, m.Device.version).where(devices)))
    customers = select(m.Ticket.customer_id).where(tickets).scalar_subquery()
    v["customers"] = dict(
        await _pairs(
            session, select(m.Customer.id, m.Customer.version).where(_live(m.Customer, customers))
        )
    )
    at_ticket = select(m.Ticket.address_id).where(tickets).scalar_subquery()
    at_device = select(m.Device.address_id).where(devices).scalar_subquery()
    v["addresses"] = dict(
        await _pairs(
            session,
            select(m.Address.id, m.Address.version).where(
                or_(m.Address.id.in_(at_ticket), m.Address.id.in_(at_device)),
                m.Address.deleted_at.is_(None),
            ),
        )
    )
    models = select(m.Device.device_model_id).where(devices).scalar_subquery()
    v["device_models"] = dict(
        await _pairs(
            session,
            select(m.DeviceModel.id, m.DeviceModel.version).where(_live(m.DeviceModel, models)),
        )
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
    for entry_id, version, client_id in await _pairs(
        session,
        select(m.StockEntry.id, m.StockEntry.version, m.StockEntry.client_id).where(
            m.StockEntry.job_id.in_(job_ids), m.StockEntry.kind == LedgerKind.CONSUMPTION
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
            model.job_id.in_(job_ids), model.deleted_at.is_(None)
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
