"""POST /sync/push: apply what the phone changed, record by record.

The request is checked whole first (``incoming.parse``: shape, tables, columns, ids, size;
then whose jobs); a bad request changes nothing. Then each record runs through its domain
service in a savepoint of one transaction: what can be applied is, and each record that
cannot be comes back in ``experimentalRejectedIds`` with a reason, so one stale record never
blocks a day of work.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.domain import audit, versioning, water
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.errors import DomainError, PermissionDenied
from wellspring.domain.inventory import consumption, documents
from wellspring.domain.media import uploads
from wellspring.domain.models.enums import AttachmentKind
from wellspring.domain.sync import batch, rules
from wellspring.domain.workflow import fieldwork
from wellspring.i18n import message

from . import consumptions, held, values
from .errors import SyncError
from .incoming import ID, Incoming
from .pull import MODELS
from .tables import record

ROW_ID_LENGTH = 36  # the server's primary keys (a UUID's length)
# Records a phone creates whose ids the use cases look up first (a replay finds them).
PRELOADED = ("job_events", "job_notes", "water_tests", "attachments")
# Tables whose new records are written only once every check passed (see _checks_first).
CHECKS_FIRST = frozenset({"job_notes"})
CHECKS_FIRST_ACTIONS = frozenset({"ACCEPT"})  # of job_events
NOTES_ONLY = frozenset({"job_notes"})  # records that need their job and nothing else read
# Records made offline are applied in the order the phone made them; on a tie, in this order
# (an arrival before the parts used on site, before the completion that closes the visit).
CREATE_ORDER = ("attachments", "job_events", "part_consumptions", "water_tests", "job_notes")


async def check_jobs(
    session: AsyncSession, actor: Actor, client_id: str, records: list[Incoming]
) -> None:
    """A job the phone never held is someone else's: the whole push is refused (403).

    A job it held and lost (reassigned while offline) is not: its records are judged one by
    one (``inventory.former_holder``; its moves are ``JOB_NOT_HELD``, ``fieldwork``).
    """
    named = [r.values.get("job_id") for r in records if r.kind == "created"]
    named += [r.id for r in records if r.table.name == "jobs"]
    # Anything else than an id is that record's rejection (INVALID_VALUE), not the push's.
    wanted = {job_id for job_id in named if isinstance(job_id, str) and ID.match(job_id)}
    jobs = {job.id: job for job in await batch.rows(session, m.Job, wanted)}
    foreign = {
        job_id
        for job_id in wanted
        if job_id not in jobs or jobs[job_id].technician_id != actor.technician_id
    }
    if foreign:
        foreign -= await held.ever_held(session, client_id, "jobs", foreign)
    if foreign:
        raise SyncError(403, "FOREIGN_RECORD", id=min(foreign))


def _jobs_named(records: list[Incoming], table: str) -> set[str]:
    """The jobs new records of ``table`` name (anything but a string is that record's
    rejection, INVALID_VALUE, not a job)."""
    return {
        job_id
        for r in records
        if r.kind == "created"
        and r.table.name == table
        and isinstance(job_id := r.values.get("job_id"), str)
    }


async def preload(session: AsyncSession, actor: Actor, records: list[Incoming]) -> None:
    """Read what the push's records touch in a few ``IN`` queries (``batch``), after
    ``check_jobs`` loaded their jobs: the tickets, the engineer, the records already made
    (a replay finds them here), and the latest history times of the jobs that move. A push
    of notes only (most small pushes) reads no tickets nor engineer: notes need their jobs
    alone. What is not preloaded is read by the use case itself, as outside a push."""
    jobs = [
        row for row in batch.held_rows(session) if isinstance(row, m.Job) and not row.deleted_at
    ]
    if any(r.table.name not in NOTES_ONLY for r in records):
        await batch.rows(session, m.Ticket, {job.ticket_id for job in jobs})
        if actor.technician_id:
            techs = await batch.rows(session, m.Technician, {actor.technician_id})
            await batch.rows(session, m.Branch, {t.branch_id for t in techs if t.branch_id})
    made: dict[str, set[str]] = {}
    for rec in records:
        if rec.kind == "created" and rec.table.name in PRELOADED:
            made.setdefault(rec.table.name, set()).add(rec.id)
    for name, ids in made.items():
        await batch.rows(session, MODELS[name], ids)
    moving, consuming = (
        _jobs_named(records, "job_events"),
        _jobs_named(records, "part_consumptions"),
    )
    job_ids = {job.id for job in jobs if job.id in moving}
    ticket_ids = {job.ticket_id for job in jobs if job.id in moving}
    # Jobs that move or have parts used on them, locked in one go (see _checks_first; a
    # consumption must not pass a cancellation of its job).
    locking = {job.id for job in jobs if job.id in moving | consuming}
    if locking:
        await batch.lock(session, m.Job, locking)
    if job_ids:
        await batch.last_steps(session, m.JobStatusChange, m.JobStatusChange.job_id, job_ids)
        await batch.last_steps(
            session, m.TicketStatusChange, m.TicketStatusChange.ticket_id, ticket_ids
        )


async def apply(
    session: AsyncSession,
    actor: Actor,
    *,
    client_id: str,
    cursor: int,
    seen: int,
    records: list[Incoming],
    schema_version: int,
    locale: str,
) -> dict[str, Any]:
    """Apply every record it can; the caller commits. Returns the push's answer.

    ``seen`` is the cursor the phone's edits were made on (see the endpoint). A record the
    server resolves in its own favour (``SERVER_WINS``) is not rejected: the phone marks it
    synced, and the record is stamped again so the next pull brings the server's values. It
    is listed in ``conflicts`` with its reason, for the phone to tell the engineer.
    """
    rejected: dict[str, dict[str, dict[str, Any]]] = {}
    conflicts: dict[str, dict[str, dict[str, Any]]] = {}
    created = sorted(
        (r for r in records if r.kind == "created"),
        # Files first, whenever taken: they depend on nothing, and a completion needs them.
        key=lambda r: (r.table.name != "attachments", _recorded_key(r), _order(r.table.name), r.id),
    )
    others = [r for r in records if r.kind != "created"]
    known = await _ever_held(session, client_id, others)
    sent: dict[str, list[str]] = {}
    audits = audit.hold(session)
    for rec in [*created, *others]:
        # A savepoint costs two statements: taken only where the use case may fail after writing.
        savepoint = None if _checks_first(rec) else await session.begin_nested()
        batch.defer_writes(session, savepoint is None)  # written at the next flush
        kept = len(audits)
        try:
            held_before = (rec.table.name, rec.id) in known
            await _apply_one(session, actor, rec, seen, schema_version, held_before)
        except DomainError as error:
            await _undo(savepoint, audits, kept)
            field = phone_field(rec.table.name, error.field)
            params = {**error.params, "field": field or ""}
            reason = {
                "code": error.code,
                "field": field,
                "message": message(error.code, locale, **params),
            }
            if error.code in rules.SERVER_WINS:
                conflicts.setdefault(rec.table.name, {})[rec.id] = reason
                versioning.mark_changed(session, MODELS[rec.table.name].__table__, {rec.id})
            else:
                rejected.setdefault(rec.table.name, {})[rec.id] = reason
            continue
        except PermissionDenied:
            await _undo(savepoint, audits, kept)
            rejected.setdefault(rec.table.name, {})[rec.id] = {
                "code": "FORBIDDEN",
                "field": None,
                "message": message("FORBIDDEN", locale),
            }
            continue
        except BaseException:
            await _undo(savepoint, audits, kept)
            raise
        if savepoint is not None:
            await savepoint.commit()
        if rec.kind == "created":
            sent.setdefault(rec.table.name, []).append(rec.id)
    batch.defer_writes(session, False)
    await session.flush()  # what the records left for it
    # The phone holds what it made: its next pull sends it back as updated.
    await held.mark_sent_many(session, client_id, sent, cursor)
    audit.release(session)  # one multi-row INSERT for the push
    await batch.refresh_etas(session)
    return {
        "experimentalRejectedIds": {t: sorted(ids) for t, ids in rejected.items()},
        "rejected": rejected,
        "conflicts": conflicts,
    }


def phone_field(table: str, field: str | None) -> str | None:
    """The field as the phone names it: the domain's ``report.filters_changed`` of a
    completion is inside the event's ``report_json`` column (``report_json.filters_changed``,
    as the values' own checks name it); an attachment's ``taken_at`` is its ``recorded_at``."""
    if table == "job_events" and field is not None and field.split(".")[0] == "report":
        return "report_json" + field[len("report") :]
    if table == "attachments" and field == "taken_at":  # the phone's column for it
        return "recorded_at"
    return field


def _checks_first(rec: Incoming) -> bool:
    """A record whose use case checks everything before it writes anything, so a refused
    one leaves nothing to undo (no savepoint needed): a new note (``fieldwork.add_job_note``)
    and an ACCEPT (``engineer_moves._engineer_move``: its one write that could still fail,
    the job's versioned UPDATE, cannot, since ``preload`` locked the job)."""
    if rec.kind != "created":
        return False
    if rec.table.name == "job_events":
        action = rec.values.get("action")  # as sent: checked when the record is applied
        return isinstance(action, str) and action in CHECKS_FIRST_ACTIONS
    return rec.table.name in CHECKS_FIRST


async def _undo(savepoint: Any, audits: list[m.AuditEntry], kept: int) -> None:
    if savepoint is not None:
        await savepoint.rollback()
    del audits[kept:]


def _order(name: str) -> int:
    return CREATE_ORDER.index(name) if name in CREATE_ORDER else len(CREATE_ORDER)


def _recorded_key(rec: Incoming) -> float:
    value = rec.values.get("recorded_at")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value) if math.isfinite(value) else 0.0


async def _ever_held(
    session: AsyncSession, client_id: str, records: list[Incoming]
) -> set[tuple[str, str]]:
    """The (table, id) of these records the installation was ever sent or made: only those
    are compared with the server's rows. Compared with any row, a push answered whether a
    guessed phone number or address of a customer the engineer never served was right."""
    ids: dict[str, set[str]] = {}
    for rec in records:
        ids.setdefault(rec.table.name, set()).add(rec.id)
    known: set[tuple[str, str]] = set()
    for table, among in sorted(ids.items()):
        known.update((table, i) for i in await held.ever_held(session, client_id, table, among))
    return known


async def _apply_one(
    session: AsyncSession,
    actor: Actor,
    rec: Incoming,
    seen: int,
    schema_version: int,
    held_before: bool,
) -> None:
    name = rec.table.name
    if rec.kind == "deleted":
        if held_before and await _exists(session, name, rec.id):
            raise DomainError("DELETE_NOT_ALLOWED", field="id")
        return  # made and deleted offline, or never this phone's: nothing on the server changes
    if rec.kind == "updated":
        await _update(session, actor, rec, seen, schema_version, held_before)
        return
    if not rec.table.creatable:
        raise DomainError("READ_ONLY_TABLE", field=name)
    if name != "part_consumptions" and len(rec.id) > ROW_ID_LENGTH:
        raise values.invalid("id")  # it becomes the row's key (a consumption's is its own)
    v = values.created(rec.table, rec.values, schema_version)
    at, job_id = v["recorded_at"], v["job_id"]
    if not ID.match(job_id):
        raise values.invalid("job_id")
    if name == "job_events":
        await fieldwork.record_job_event(
            session,
            actor,
            event_id=rec.id,
            job_id=job_id,
            action=v["action"],
            reason=v["reason"] or "",
            report=values.report(v["report_json"]),
            recorded_at=at,
            held_on_device=True,  # a former holder's move is JOB_NOT_HELD, never NOT_FOUND
        )
    elif name == "part_consumptions":
        line = documents.Line(
            part_id=v["part_id"],
            quantity=v["quantity"],
            old_part_returned=bool(v["old_part_returned"]),
        )
        await consumption.consume_parts(
            session,
            actor,
            job_id=job_id,
            lines=[line],
            client_id=rec.id,
            recorded_at=at,
            recorded_offline=True,  # used on site already: a shortfall opens a discrepancy
            held_on_device=True,  # check_jobs: this installation was sent the job
        )
    elif name == "water_tests":
        readings = water.Readings(
            tds_mg_l=v["tds"],
            ph=v["ph"],
            residual_chlorine_mg_l=v["residual_chlorine"],
            turbidity_ntu=v["turbidity"],
            temperature_c=v["temperature"],
        )
        await fieldwork.record_water_test(
            session,
            actor,
            test_id=rec.id,
            job_id=job_id,
            readings=readings,
            recorded_at=at,
            held_on_device=True,  # a former holder's readings: kept if taken while held
        )
    elif name == "attachments":
        new = uploads.NewAttachment(
            job_id=job_id,
            kind=AttachmentKind(v["kind"]),
            content_type=v["content_type"],
            byte_size=v["byte_size"],
            sha256=v["sha256"],
            attachment_id=rec.id,
            taken_at=at,
        )
        # PENDING_UPLOAD until confirmed; a former holder's photo: kept if taken while held
        await uploads.register(session, actor, new, now=at, held_on_device=True)
    elif name == "job_notes":
        await fieldwork.add_job_note(
            session,
            actor,
            note_id=rec.id,
            job_id=job_id,
            body=v["body"],
            recorded_at=at,
            held_on_device=True,  # as a water test
        )


async def _update(
    session: AsyncSession,
    actor: Actor,
    rec: Incoming,
    seen: int,
    schema_version: int,
    held_before: bool,
) -> None:
    """Only a job's appointment may change from the phone; anything else is refused."""
    ledger = rec.table.name in rules.LEDGER
    if not ledger and not held_before:  # a row the phone never had is no row to it, whatever
        raise DomainError("NOT_FOUND", field="id")  # was sent (its values are not even read)
    named = values.updated(rec.table, rec.values, rec.changed)
    if ledger:
        rules.check_edit(rec.table.name, named)  # a ledger entry is never edited
        held_entry = await consumptions.held_record(session, rec.table, rec.id, schema_version)
        if held_entry is None:
            raise DomainError("NOT_FOUND", field="id")
        if any(
            c.name in rec.values and rec.values[c.name] not in (held_entry[c.name], None)
            for c in rec.table.columns_at(schema_version)
        ):  # changed without saying so: refused, not taken as an echo (a null is no value)
            raise DomainError("READ_ONLY_TABLE", field=rec.table.name)
        return
    row = await session.get(MODELS[rec.table.name], rec.id)
    if row is None:
        raise DomainError("NOT_FOUND", field="id")
    server = record(rec.table, rec.id, row, schema_version)
    changed = named or frozenset(k for k, value in rec.values.items() if server.get(k) != value)
    changed = frozenset(c for c in changed if rec.values.get(c) != server.get(c))
    if not changed:
        return  # nothing new (a replay, or the phone echoing what it was sent)
    rules.check_edit(rec.table.name, changed)
    if isinstance(row, m.Job) and row.technician_id != actor.technician_id:
        raise DomainError("NOT_FOUND", field="id")
    columns = {c.name: c for c in rec.table.columns}
    await fieldwork.reschedule_by_engineer(
        session,
        actor,
        job_id=rec.id,
        start=values.value(columns["appointment_start"], rec.values.get("appointment_start")),
        end=values.value(columns["appointment_end"], rec.values.get("appointment_end")),
        seen_version=seen,
    )


async def _exists(session: AsyncSession, table: str, record_id: str) -> bool:
    if table == "part_consumptions":
        return await consumptions.exists(session, record_id)
    return await session.get(MODELS[table], record_id) is not None


__all__ = ["Incoming", "apply", "check_jobs", "preload"]
