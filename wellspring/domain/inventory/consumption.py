"""Parts consumed on jobs: idempotent per phone-generated line id. None of them commits.

A consumption records parts fitted on site, so nothing but a counted correction takes it back:
cancelling the ticket afterwards leaves it, its old parts and any discrepancy it opened as
they are (docs/api.md, "Stock"). Giving the parts back to the van put units there that were
in the customer's machine, or that the van's book never had (a shortfall).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..errors import DomainError
from ..models import Device, DeviceModel, Job, JobStatusChange, Part, StockEntry, Ticket, Warehouse
from ..models.enums import (
    JobStatus,
    LedgerKind,
    StockBin,
)
from ..sync import batch
from . import discrepancies, documents, former_holder, ledger, line_keys
from .documents import Line


async def consume_parts(
    session: AsyncSession,
    actor: Actor,
    *,
    job_id: str,
    lines: list[Line],
    client_id: str,
    recorded_at: dt.datetime | None = None,
    recorded_offline: bool = False,
    held_on_device: bool = False,
) -> list[StockEntry]:
    """Parts used on a job, from the engineer's van; swapped old parts go to its defective bin.

    ``client_id`` is the phone's id for this batch: sent again (a retry after a lost answer),
    it returns what the first call recorded and changes nothing. Recorded offline, the work
    is already done: what the van's book cannot cover opens a discrepancy instead of failing,
    and a job reassigned since is taken if the engineer held it then (``former_holder``;
    ``held_on_device``: the caller knows they held it once).
    """
    permissions.check(actor, "parts.consume")
    key = client_id.strip()
    if not key or len(key) > 80:
        raise DomainError("INVALID_ARGUMENT", field="client_id")
    job = await _locked_job(session, job_id)
    if job is None:
        raise DomainError("NOT_FOUND", field="job_id")
    former = job.technician_id != actor.technician_id
    if former and not recorded_offline:
        raise DomainError("NOT_FOUND", field="job_id")
    earlier = (
        (
            await session.execute(
                select(StockEntry)
                # The batch's own line keys, matched exactly: the phone's id is no pattern.
                .where(StockEntry.client_id.in_(line_keys.batch_keys(key)))
                .order_by(StockEntry.client_id)
            )
        )
        .scalars()
        .all()
    )
    if earlier and not (former and any(e.actor_id != actor.user_id for e in earlier)):
        if any(entry.job_id != job.id for entry in earlier):
            raise DomainError("INVALID_ARGUMENT", field="client_id")
        return list(earlier)
    if former:
        await former_holder.check(
            session, job, actor.technician_id, recorded_at, held_on_device=held_on_device
        )
    else:
        await _check_open(session, job, recorded_at)
    parts = await documents.check_lines(session, lines, active_only=True)
    await _check_compatible(session, job, lines, parts)
    van = (
        await session.execute(
            select(Warehouse).where(Warehouse.technician_id == actor.technician_id)
        )
    ).scalar_one_or_none()
    if van is None:
        raise DomainError("NO_VAN", field="job_id")
    posted: dict[int, list[StockEntry]] = {}
    # The van's balances are locked in part order, whatever the lines' order: two
    # consumptions of one van naming the same parts in opposite orders deadlocked.
    for i, line in ledger.in_lock_order(lines):
        entries = posted.setdefault(i, [])
        if recorded_offline:
            await discrepancies.cover_shortfall(
                session,
                actor,
                van=van,
                job=job,
                part_id=line.part_id,
                quantity=line.quantity,
                client_id=line_keys.line_key(key, i),
                recorded_at=recorded_at,
            )
        entries.append(
            await ledger.post(
                session,
                actor,
                warehouse_id=van.id,
                part_id=line.part_id,
                bin_=StockBin.GOOD,
                delta=-line.quantity,
                kind=LedgerKind.CONSUMPTION,
                job_id=job.id,
                document=job.number,
                client_id=f"{key}:{i:03d}",
                field=f"lines.{i}.quantity",
            )
        )
        if line.old_part_returned:
            entries.append(
                await ledger.post(
                    session,
                    actor,
                    warehouse_id=van.id,
                    part_id=line.part_id,
                    bin_=StockBin.DEFECTIVE,
                    delta=line.quantity,
                    kind=LedgerKind.OLD_PART,
                    job_id=job.id,
                    document=job.number,
                    client_id=line_keys.old_part_key(line_keys.line_key(key, i)),
                )
            )
    entries = [entry for i in sorted(posted) for entry in posted[i]]  # in the lines' order
    for entry in entries:
        entry.recorded_at = recorded_at  # the phone's time, when it was recorded offline
    # Who fitted them, when the job is someone else's now: the history shows the handover.
    held = {"fitted_by": actor.technician_id, "job_held_by": job.technician_id} if former else {}
    audit.record(
        session, actor, "stock.consumed", entity_type="Job", entity_id=job.id, client_id=key, **held
    )
    return entries


async def _locked_job(session: AsyncSession, job_id: str) -> Job | None:
    """The job, locked until commit, so a consumption reads the status a cancellation or a
    completion committed meanwhile (a closed job takes no parts, ``_check_open``). A job this
    transaction read before is read again. A push locks and reads its jobs in one go."""
    if batch.holds_lock(session, Job, job_id):
        return await session.get(Job, job_id)
    await session.execute(select(Job.id).where(Job.id == job_id).with_for_update())
    held = session.identity_map.get(inspect(Job).identity_key_from_primary_key((job_id,)))
    if held is not None and not session.is_modified(held):
        await session.refresh(held)
    return await session.get(Job, job_id)


async def _check_open(session: AsyncSession, job: Job, recorded_at: dt.datetime | None) -> None:
    """Parts are used on site. Once the job is completed or cancelled its book is closed:
    only a consumption the phone recorded before that (by the phone's time, an offline queue
    arriving late) is still taken, since the parts were fitted all the same and a cancel
    keeps what was used; anything later is refused."""
    if job.status is JobStatus.ON_SITE:
        return
    closed: dt.datetime | None = None
    if job.status is JobStatus.COMPLETED:
        closed = job.completed_at
    elif job.status is JobStatus.CANCELLED:
        closed = await session.scalar(
            select(func.max(JobStatusChange.at)).where(
                JobStatusChange.job_id == job.id, JobStatusChange.to_status == JobStatus.CANCELLED
            )
        )
    else:
        raise DomainError("INVALID_TRANSITION", action="consume", status=job.status.value)
    if recorded_at is not None and closed is not None and recorded_at <= closed:
        return
    raise DomainError("JOB_CLOSED", field="job_id", number=job.number)


async def _check_compatible(
    session: AsyncSession, job: Job, lines: list[Line], parts: dict[str, Part]
) -> None:
    """A part that lists its compatible models fits only those; one listing none fits all."""
    model = await session.scalar(
        select(DeviceModel)
        .join(Device, Device.device_model_id == DeviceModel.id)
        .join(Ticket, Ticket.device_id == Device.id)
        .where(Ticket.id == job.ticket_id)
    )
    if model is None:
        return  # no device on the ticket (an install brings its own)
    for index, line in enumerate(lines):
        fits = parts[line.part_id].compatible_models or []
        if fits and model.code not in fits:
            raise DomainError(
                "PART_NOT_COMPATIBLE",
                field=f"lines.{index}.part_id",
                sku=parts[line.part_id].sku,
                model=model.code,
            )
