"""Whether anything an engineer's phone holds, or could newly hold, changed since its cursor.

The empty pull's fast path (issue 19 §2). A phone that pulled at cursor C holds exactly the
scope (``scope.py``) as the pull that returned C saw it, and that pull read the rows after
every version <= C had committed. Rows are never hard-deleted and every write stamps a
version, so a row whose version is still <= C has the same values it had then; the scope can
only differ through a row with a version above C that the scope reaches now, or reached then
(the phone's held set), or through time (a closed job ages out after ``RECENT``).

So one statement asks, with the ``version`` indexes, whether any such row exists. It follows
the scope's chains without their ``deleted_at`` and status filters (a superset: a hit only
sends the pull down the full path). When it finds nothing, the full comparison would find
the phone's held set equal to the scope and no version above C: the answer is empty.

The caller must only ask for the cursor this installation's last pull returned, at that
pull's time, with the same schema version and no migration (the held set as of C is then
exactly that pull's scope), and read its new cursor before asking. It assumes an engineer's
technician row is made once, with their login (``masterdata.technicians.enrol``).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    String,
    and_,
    bindparam,
    exists,
    false,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from .. import models as m
from ..actor import Actor
from ..errors import present
from ..models.base import UTCDateTime
from ..models.enums import JOB_OPEN_STATUSES
from .scope import RECENT

# Built once with bound parameters (below): a new statement per pull cost more CPU to build
# and to key for the statement cache than its execution did (issue 19 §4).
ME = bindparam("me", type_=String)
CLIENT = bindparam("client", type_=String)
CURSOR = bindparam("cursor", type_=BigInteger)
THEN = bindparam("then", type_=UTCDateTime)
LATER = bindparam("later", type_=UTCDateTime)


def _held(table: str) -> Any:
    """The ids of ``table`` the phone holds as of the cursor (``held.held_as_of``'s rule)."""
    return select(m.SyncHeld.record_id).where(
        m.SyncHeld.client_id == CLIENT,
        m.SyncHeld.table_name == table,
        m.SyncHeld.sent_at <= CURSOR,
        or_(m.SyncHeld.removed_at.is_(None), m.SyncHeld.removed_at > CURSOR),
    )


def _changed(model: Any, *where: Any) -> Any:
    return exists().where(model.version > CURSOR, *where)


def _among(column: Any, ids: Any) -> Any:
    """``column IN (ids)``, written so that no planner walks the list through ``column``'s
    index: the rows above the cursor are few and found through the version index, while the
    list (the engineer's 1,000 jobs' tickets, say) is read only if one of them needs it.
    SQLite without statistics would otherwise probe every listed id."""
    return (column + literal_column("''", String)).in_(ids)


@cache
def _question() -> Any:
    """``SELECT 1 WHERE`` anything the phone holds, or could newly hold, changed."""
    my_jobs = select(m.Job.id).where(m.Job.technician_id == ME)
    my_tickets = select(m.Job.ticket_id).where(m.Job.technician_id == ME)
    tickets = m.Ticket.id.in_(my_tickets)
    my_devices = select(m.Ticket.device_id).where(tickets)
    devices = m.Device.id.in_(my_devices)
    my_vans = select(m.Warehouse.id).where(m.Warehouse.technician_id == ME)
    held_stock = _held("van_stock")
    closed = m.Job.status.not_in(JOB_OPEN_STATUSES)
    checks = [
        # jobs assigned to the engineer now, or held (reassigned away, cancelled, deleted)
        _changed(m.Job, or_(m.Job.technician_id == ME, m.Job.id.in_(_held("jobs")))),
        # closed jobs that left the 7-day window since the last pull (nothing was written)
        exists().where(
            m.Job.technician_id == ME,
            m.Job.deleted_at.is_(None),
            closed,
            or_(
                and_(m.Job.completed_at >= THEN, m.Job.completed_at < LATER),
                and_(
                    m.Job.completed_at.is_(None),
                    m.Job.updated_at >= THEN,
                    m.Job.updated_at < LATER,
                ),
            ),
        ),
        _changed(m.Ticket, _among(m.Ticket.id, my_tickets)),
        _changed(m.Device, _among(m.Device.id, my_devices)),
        _changed(m.Customer, _among(m.Customer.id, select(m.Ticket.customer_id).where(tickets))),
        _changed(
            m.Address,
            or_(
                _among(m.Address.id, select(m.Ticket.address_id).where(tickets)),
                _among(m.Address.id, select(m.Device.address_id).where(devices)),
            ),
        ),
        _changed(
            m.DeviceModel,
            _among(m.DeviceModel.id, select(m.Device.device_model_id).where(devices)),
        ),
        # A stage renamed, added or retired, of any model: HQ rarely touches the few stages,
        # and following the engineer's devices to their models here doubled the empty pull
        # at 10x (27 ms against 11); a stage of another model costs one full pull, no more.
        _changed(m.FilterType),
        _changed(
            m.StockBalance,
            or_(_among(m.StockBalance.warehouse_id, my_vans), m.StockBalance.id.in_(held_stock)),
        ),
        _changed(
            m.Warehouse,
            or_(
                m.Warehouse.technician_id == ME,
                m.Warehouse.id.in_(
                    select(m.StockBalance.warehouse_id).where(m.StockBalance.id.in_(held_stock))
                ),
            ),
        ),
        _changed(m.StockEntry, _among(m.StockEntry.job_id, my_jobs)),
        # or held: a former holder's push keeps its readings and notes on a job reassigned
        # away (workflow/fieldwork.py), as its photos (media/uploads.py), which the next pull
        # deletes from the phone
        _changed(
            m.WaterTest,
            or_(_among(m.WaterTest.job_id, my_jobs), m.WaterTest.id.in_(_held("water_tests"))),
        ),
        _changed(
            m.JobNote, or_(_among(m.JobNote.job_id, my_jobs), m.JobNote.id.in_(_held("job_notes")))
        ),
        _changed(m.JobEvent, _among(m.JobEvent.job_id, my_jobs)),
        _changed(
            m.Attachment,
            or_(_among(m.Attachment.job_id, my_jobs), m.Attachment.id.in_(_held("attachments"))),
        ),
        # the catalogue and the knowledge base change rarely: any change takes the full path
        _changed(m.Part),
        _changed(m.Article),
    ]
    return select(literal(1)).where(or_(false(), *checks))


async def scope_unchanged(
    session: AsyncSession,
    actor: Actor,
    *,
    client_id: str,
    cursor: int,
    pulled_at: dt.datetime,
    now: dt.datetime,
) -> bool:
    """True when a pull from ``cursor`` (made at ``pulled_at``) would send nothing at ``now``."""
    if now < pulled_at:
        return False  # a clock set back could bring closed jobs back into the window
    values = {
        "me": present(actor.technician_id, "the engineer's technician id"),
        "client": client_id,
        "cursor": cursor,
        "then": pulled_at - RECENT,
        "later": now - RECENT,
    }
    hit = (await session.execute(_question(), values)).first()
    return hit is None


__all__ = ["scope_unchanged"]
