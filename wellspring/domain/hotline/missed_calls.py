"""Missed calls (呼损) and the call backs that work them off.

A missed call arrives from the PBX's webhook or ``RecordMissedCall``, once per PBX call id
(a retried report returns the first). It is matched to a customer by phone. The hotline
calls back: reaching the caller returns it; a wrong number, or the configured number of
attempts without reaching anyone, closes it unreturned.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, clock, permissions
from ..actor import Actor
from ..config import config_of
from ..errors import DomainError
from ..models import CallbackAttempt, Contact, Customer, MissedCall, User
from ..models.enums import CallbackOutcome, MissedCallStatus, Role
from ..pagination import Page, SortKey, paginate
from . import phones, scopes

MAX_AGE = dt.timedelta(days=30)
MAX_AHEAD = dt.timedelta(minutes=5)
CALL_ID = re.compile(r"^[\x21-\x7e]{1,100}$")
RECORDING = re.compile(r"^https?://[\x21-\x7e]{1,490}$")


class CallbackOrder(enum.StrEnum):
    NEWEST = "NEWEST"
    LONGEST_WAITING = "LONGEST_WAITING"


@dataclass(frozen=True)
class MissedCallReport:
    call_id: str
    caller_number: str
    called_at: dt.datetime
    queue: str = ""
    recording_url: str = ""  # the PBX's recording of the call, if it keeps one


async def _match(session: AsyncSession, phone: str) -> Customer | None:
    forms = phones.variants(phone)
    owner = select(Contact.customer_id).where(
        Contact.phone.in_(forms), Contact.deleted_at.is_(None)
    )
    return await session.scalar(
        select(Customer)
        .where(
            or_(Customer.phone.in_(forms), Customer.id.in_(owner)),
            Customer.deleted_at.is_(None),
        )
        .order_by(Customer.created_at, Customer.id)
        .limit(1)
    )


async def record_missed_call(
    session: AsyncSession, actor: Actor, *, report: MissedCallReport, source: str = "API"
) -> MissedCall:
    """Record the call (or return the one already recorded under its PBX call id)."""
    permissions.check(actor, "missed_call.record")
    call_id = report.call_id.strip()
    if not call_id:
        raise DomainError("REQUIRED", field="call_id")
    if len(call_id) > 100:
        raise DomainError("VALUE_TOO_LONG", field="call_id", maximum=100)
    if not CALL_ID.match(call_id):
        raise DomainError("INVALID_ARGUMENT", field="call_id")
    existing = await session.scalar(select(MissedCall).where(MissedCall.call_id == call_id))
    if existing is not None:
        return existing
    raw = report.caller_number.strip()
    digits = re.sub(r"\D", "", raw)
    if not digits or len(raw) > 40:
        raise DomainError("INVALID_PHONE", field="caller_number", value=raw[:32])
    phone = phones.normalize(raw) or digits[:32]
    now = clock.now(session)
    called = report.called_at
    if called.tzinfo is None or not now - MAX_AGE <= called <= now + MAX_AHEAD:
        raise DomainError("CALL_TIME_OUT_OF_RANGE", field="called_at", value=str(called)[:32])
    queue = report.queue.strip()
    if len(queue) > 50:
        raise DomainError("VALUE_TOO_LONG", field="queue", maximum=50)
    recording = report.recording_url.strip()
    if recording and not RECORDING.match(recording):
        raise DomainError("INVALID_ARGUMENT", field="recording_url")
    customer = await _match(session, phone)
    sla = dt.timedelta(minutes=config_of(session).hotline.callback_sla_minutes)
    row = MissedCall(
        call_id=call_id,
        caller_number=raw[:32],
        phone=phone,
        called_at=called,
        queue=queue,
        source=source,
        customer_id=customer.id if customer else None,
        branch_id=customer.branch_id if customer else None,
        due_at=called + sla,
        recording_url=recording,
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        # The same call reported twice at once: the other report won; answer with it.
        again = await session.scalar(select(MissedCall).where(MissedCall.call_id == call_id))
        if again is None:
            raise
        return again
    audit.record(session, actor, "missed_call.recorded", entity_type="MissedCall", entity_id=row.id)
    return row


async def callbacks_due(
    session: AsyncSession,
    actor: Actor,
    *,
    order: CallbackOrder,
    first: int | None,
    after: str | None,
) -> Page[MissedCall]:
    """Open missed calls, newest first or the longest waiting first."""
    permissions.check(actor, "callbacks.list")
    stmt = select(MissedCall).where(
        scopes.missed_calls_scope(actor),
        MissedCall.status == MissedCallStatus.OPEN,
        MissedCall.deleted_at.is_(None),
    )
    newest = order is CallbackOrder.NEWEST
    keys = (SortKey(MissedCall.called_at, newest), SortKey(MissedCall.id, newest))
    return await paginate(
        session, stmt, order=keys, first=first, after=after, row_key=lambda c: (c.called_at, c.id)
    )


async def record_callback(
    session: AsyncSession,
    actor: Actor,
    *,
    missed_call_id: str,
    outcome: CallbackOutcome,
    note: str = "",
) -> tuple[MissedCall, CallbackAttempt]:
    """One attempt and its outcome; the call closes when reached, on a wrong number, or
    after the configured number of attempts."""
    permissions.check(actor, "callback.record")
    call = await session.scalar(
        select(MissedCall)
        .where(
            MissedCall.id == missed_call_id,
            scopes.missed_calls_scope(actor),
            MissedCall.deleted_at.is_(None),
        )
        .with_for_update()
    )
    if call is None:
        raise DomainError("NOT_FOUND", field="missed_call_id")
    if call.status is not MissedCallStatus.OPEN:
        raise DomainError("CALL_ALREADY_CLOSED", field="missed_call_id")
    text = note.strip()
    if len(text) > 500:
        raise DomainError("VALUE_TOO_LONG", field="note", maximum=500)
    now = clock.now(session)
    attempt = CallbackAttempt(
        missed_call_id=call.id, agent_id=actor.user_id, outcome=outcome, note=text, attempted_at=now
    )
    session.add(attempt)
    call.attempts += 1
    call.last_attempt_at = now
    limit = config_of(session).hotline.callback_max_attempts
    if outcome is CallbackOutcome.REACHED:
        call.status, call.returned_at, call.closed_at = MissedCallStatus.RETURNED, now, now
    elif outcome is CallbackOutcome.WRONG_NUMBER or call.attempts >= limit:
        call.status, call.closed_at = MissedCallStatus.CLOSED, now
    await session.flush()
    audit.record(
        session,
        actor,
        "missed_call.called_back",
        entity_type="MissedCall",
        entity_id=call.id,
        outcome=outcome.value,
    )
    return call, attempt


async def attempts_of(
    session: AsyncSession, call_ids: list[str]
) -> dict[str, list[CallbackAttempt]]:
    """The attempts on each call, oldest first (the caller has scoped the calls)."""
    found: dict[str, list[CallbackAttempt]] = {i: [] for i in call_ids}
    if not call_ids:
        return found
    rows = await session.execute(
        select(CallbackAttempt)
        .where(CallbackAttempt.missed_call_id.in_(call_ids))
        .order_by(CallbackAttempt.attempted_at, CallbackAttempt.created_at, CallbackAttempt.id)
    )
    for row in rows.scalars():
        found[row.missed_call_id].append(row)
    return found


def is_overdue(call: MissedCall, now: dt.datetime) -> bool:
    """Still waiting for a call back, past its due time."""
    return call.status is MissedCallStatus.OPEN and call.due_at is not None and now > call.due_at


async def assign_callback(
    session: AsyncSession, actor: Actor, *, missed_call_id: str, user_id: str | None
) -> MissedCall:
    """Give an open call to a hotline agent to call back (``None``: to nobody)."""
    permissions.check(actor, "callback.assign")
    # Held and read as committed, as an attempt holds it: a call closed by an attempt
    # meanwhile was given to an agent after it closed (and sat in their queue).
    call = await session.scalar(
        select(MissedCall)
        .where(
            MissedCall.id == missed_call_id,
            scopes.missed_calls_scope(actor),
            MissedCall.deleted_at.is_(None),
        )
        .with_for_update(of=MissedCall)
        .execution_options(populate_existing=True)
    )
    if call is None:
        raise DomainError("NOT_FOUND", field="missed_call_id")
    if call.status is not MissedCallStatus.OPEN:
        raise DomainError("CALL_ALREADY_CLOSED", field="missed_call_id")
    if user_id is not None:
        agent = await session.scalar(
            select(User).where(
                User.id == user_id,
                User.role == Role.HOTLINE,
                User.is_active.is_(True),
                User.deleted_at.is_(None),
            )
        )
        if agent is None:
            raise DomainError("CALLBACK_ASSIGNEE_INVALID", field="user_id")
    call.assigned_to_id = user_id
    await session.flush()
    audit.record(
        session, actor, "missed_call.assigned", entity_type="MissedCall", entity_id=call.id,
        assigned_to=user_id or "",
    )  # fmt: skip
    return call
