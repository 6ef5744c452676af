"""What an engineer's phone may hold right now: record ids and their change versions.

The phone's visibility rule, beside ``policy.py``'s for the API: an engineer's phone holds
their open jobs and those closed in the last ``RECENT`` days, and what those jobs need (the
tickets, customers, addresses, devices and models), their van's stock, and the records of
those jobs (consumptions, water tests, notes, and the engineer's own events), and the published
knowledge-base articles and the live filter stages of the device models it holds.

Read with narrow queries (ids and versions only) that follow the engineer's jobs by
subqueries, so a pull costs what the engineer's scope and the changes cost, never the size of
the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import (
    Select,
    String,
    and_,
    bindparam,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from .. import models as m
from ..actor import Actor
from ..errors import present
from ..inventory.line_keys import batch_of_first_line
from ..models.base import UTCDateTime
from ..models.enums import JOB_OPEN_STATUSES, ArticleStatus, LedgerKind

RECENT = dt.timedelta(days=7)  # closed jobs stay on the phone this long
CHUNK = 500
TABLE_NAMES = (
    "jobs",
    "tickets",
    "devices",
    "customers",
    "addresses",
    "device_models",
    "van_stock",
    "part_consumptions",
    "water_tests",
    "job_notes",
    "job_events",
    "attachments",
    "articles",
    "filter_types",
)


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


async def _pairs(
    session: AsyncSession, stmt: Select[Any] | Any, values: dict[str, Any] | None = None
) -> list[Any]:
    return list((await session.execute(stmt, values)).all())


def _live(model: Any, ids: Any) -> Any:
    """``model``'s live rows among the ids a subquery names."""
    return and_(model.id.in_(ids), model.deleted_at.is_(None))


# Built once with bound parameters (``_statement``): building and keying the statement for
# the cache at every pull cost more CPU than running it (issue 19 §4).
ME = bindparam("me", type_=String)
SINCE = bindparam("since", type_=UTCDateTime)
USER = bindparam("user", type_=String)


async def engineer_scope(session: AsyncSession, actor: Actor, now: dt.datetime) -> Scope:
    """The scope in ONE statement (a ``UNION ALL`` of one narrow select per table) that follows
    the engineer's jobs by subqueries, not lists of ids: no 500-id ``IN`` lists to compile and
    bind, a plan that probes the indexes of the jobs' rows at any database size, one round
    trip, and one snapshot on PostgreSQL, so the held set it leaves is a state the database
    was in (the empty pull's fast path, ``unchanged.py``, relies on that)."""
    values = {
        "me": present(actor.technician_id, "the engineer's technician id"),
        "since": now - RECENT,
        "user": actor.user_id,
    }
    rows = await _pairs(session, _statement(), values)
    scope = Scope(versions={name: {} for name in TABLE_NAMES})
    v = scope.versions
    for table, record_id, version, client_id in rows:
        if table == "part_consumptions":
            pid = phone_id(record_id, client_id)
            v[table][pid] = version
            scope.entry_ids[pid] = record_id
        else:
            v[table][record_id] = version
    return scope


def _not_gone(model: Any) -> Any:
    return model.deleted_at.is_(None)


@cache
def _statement() -> Any:
    mine = and_(
        m.Job.technician_id == ME,
        m.Job.deleted_at.is_(None),
        or_(
            m.Job.status.in_(JOB_OPEN_STATUSES),
            m.Job.completed_at >= SINCE,
            and_(m.Job.completed_at.is_(None), m.Job.updated_at >= SINCE),
        ),
    )
    job_ids = select(m.Job.id).where(mine).scalar_subquery()
    tickets = _live(m.Ticket, select(m.Job.ticket_id).where(mine).scalar_subquery())
    devices = _live(m.Device, select(m.Ticket.device_id).where(tickets).scalar_subquery())
    customers = select(m.Ticket.customer_id).where(tickets).scalar_subquery()
    at_ticket = select(m.Ticket.address_id).where(tickets).scalar_subquery()
    at_device = select(m.Device.address_id).where(devices).scalar_subquery()
    models = _live(m.DeviceModel, select(m.Device.device_model_id).where(devices).scalar_subquery())
    tags = select(literal_column("'m:'", String) + m.DeviceModel.id).where(models).scalar_subquery()
    no_key = null().cast(String)

    def part(table: str, model: Any, *where: Any, key: Any = no_key) -> Select[Any]:
        return select(literal_column(f"'{table}'", String), model.id, model.version, key).where(
            *where
        )

    return union_all(
        part("jobs", m.Job, mine),
        part("tickets", m.Ticket, tickets),
        part("devices", m.Device, devices),
        part("customers", m.Customer, _live(m.Customer, customers)),
        part(
            "addresses",
            m.Address,
            or_(m.Address.id.in_(at_ticket), m.Address.id.in_(at_device)),
            m.Address.deleted_at.is_(None),
        ),
        part("device_models", m.DeviceModel, models),
        part(
            "van_stock",
            m.StockBalance,
            m.StockBalance.warehouse_id.in_(
                select(m.Warehouse.id).where(m.Warehouse.technician_id == ME)
            ),
        ),
        part(
            "part_consumptions",
            m.StockEntry,
            m.StockEntry.job_id.in_(job_ids),
            m.StockEntry.kind == LedgerKind.CONSUMPTION,
            key=m.StockEntry.client_id,
        ),
        part("water_tests", m.WaterTest, m.WaterTest.job_id.in_(job_ids), _not_gone(m.WaterTest)),
        part("job_notes", m.JobNote, m.JobNote.job_id.in_(job_ids), _not_gone(m.JobNote)),
        part(
            "job_events",
            m.JobEvent,
            m.JobEvent.job_id.in_(job_ids),
            _not_gone(m.JobEvent),
            m.JobEvent.actor_id == USER,
        ),
        part(
            "attachments", m.Attachment, m.Attachment.job_id.in_(job_ids), _not_gone(m.Attachment)
        ),
        part(
            "articles",
            m.Article,
            m.Article.id.in_(select(m.ArticleTerm.article_id).where(m.ArticleTerm.term.in_(tags))),
            m.Article.status == ArticleStatus.PUBLISHED,
            m.Article.deleted_at.is_(None),
        ),
        part(
            "filter_types",
            m.FilterType,
            m.FilterType.device_model_id.in_(select(m.DeviceModel.id).where(models)),
            _not_gone(m.FilterType),
        ),
    )
