"""Who hears which event, and when: one row per event kind.

An audience is resolved at delivery time from the event's ids: the job's engineer (or the
engineer the event names: the one a job was taken from, the customer's bound engineer), the
customer's own login (or, without an app, the customer's phone by SMS), the branch's clerks.

*Essential* messages are sent whatever the user chose; the others (reminders, rating requests)
are not pushed to a user who muted them (they still land in the inbox). *Quiet* messages to
customers wait for the morning (Asia/Shanghai): nobody is woken by a filter reminder.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..events import EventKind
from ..models import Customer, Job, NotificationPreference, Technician, User
from ..models.enums import JobStatus, Role

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUIET_FROM = dt.time(21, 0)
QUIET_UNTIL = dt.time(8, 0)


class Audience(enum.StrEnum):
    ENGINEER = "ENGINEER"
    CUSTOMER = "CUSTOMER"
    CLERKS = "CLERKS"


@dataclass(frozen=True)
class Rule:
    audiences: tuple[Audience, ...]
    essential: bool = True
    quiet: bool = False  # customers hear it only outside quiet hours


_E, _C, _K = Audience.ENGINEER, Audience.CUSTOMER, Audience.CLERKS

RULES: dict[EventKind, Rule] = {
    EventKind.JOB_ASSIGNED: Rule((_E, _C)),  # the customer hears it only with a window
    EventKind.JOB_RESCHEDULED: Rule((_E, _C)),
    EventKind.JOB_REASSIGNED_AWAY: Rule((_E,)),
    EventKind.JOB_CANCELLED: Rule((_E,)),
    EventKind.ENGINEER_EN_ROUTE: Rule((_C,)),
    EventKind.ENGINEER_ARRIVED: Rule((_C,)),
    EventKind.JOB_COMPLETED: Rule((_C,), essential=False, quiet=True),  # rating request
    EventKind.FOLLOW_UP_DUE: Rule((_K,)),
    EventKind.LOW_SCORE: Rule((_K,)),
    EventKind.RECHARGE_PAID: Rule((_E,)),
    EventKind.SUPPLY_EXPIRING: Rule((_C,), essential=False, quiet=True),
    EventKind.FILTER_DUE: Rule((_C,), essential=False, quiet=True),
    EventKind.STOCK_BELOW_SAFETY: Rule((_K,)),
    EventKind.STOCK_DISCREPANCY_OPENED: Rule((_E, _K)),
    EventKind.EVIDENCE_OVERDUE: Rule((_K,)),
    EventKind.TICKET_OVERDUE: Rule((_K,)),
    EventKind.BUCKETS_LOW: Rule((_C,), essential=False, quiet=True),
    EventKind.RECHARGE_LAPSED: Rule((_K,), essential=False),
}
"""Kinds not listed (status changes, job created) are for live updates only."""

# A message about where the engineer is holds only while the job is still there: "on the
# way" once the engineer has arrived (or the visit is done), "arrived" once the visit is
# over, would tell the customer something no longer true, after what replaced it (a phone
# that was offline pushes the whole visit at once). Such a message not yet sent is dropped;
# the inbox keeps it as history. Everything else is sent, in the order it was said.
CURRENT_WHILE: dict[str, frozenset[JobStatus]] = {
    EventKind.ENGINEER_EN_ROUTE.value: frozenset({JobStatus.EN_ROUTE}),
    EventKind.ENGINEER_ARRIVED.value: frozenset({JobStatus.ON_SITE}),
}


async def superseded(session: AsyncSession, messages: list[tuple[str, Any]]) -> set[int]:
    """Which of ``messages`` (kind, job id), about to be sent, the job has left behind
    (``CURRENT_WHILE``): their places in the list."""
    jobs = {str(job) for kind, job in messages if kind in CURRENT_WHILE and job}
    if not jobs:
        return set()
    found = await session.execute(select(Job.id, Job.status).where(Job.id.in_(jobs)))
    status = {job: state for job, state in found}
    return {
        i
        for i, (kind, job) in enumerate(messages)
        if kind in CURRENT_WHILE
        and job
        and str(job) in status
        and status[str(job)] not in CURRENT_WHILE[kind]
    }


@dataclass(frozen=True)
class Recipient:
    audience: Audience
    user_id: str | None  # None: a customer without a login, reached by SMS only
    locale: str
    phone: str
    muted_non_essential: bool = False


def rule_for(kind: str) -> Rule | None:
    try:
        return RULES.get(EventKind(kind))
    except ValueError:
        return None


def quiet_until(now: dt.datetime) -> dt.datetime | None:
    """The end of the quiet hours ``now`` falls in (Asia/Shanghai), or None outside them."""
    local = now.astimezone(SHANGHAI)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, QUIET_UNTIL, tzinfo=SHANGHAI).astimezone(dt.UTC)


async def recipients(session: AsyncSession, event: dict[str, Any]) -> list[Recipient]:
    """Everyone ``event`` (a stored DomainEvent: kind, ids, data) must reach, each once."""
    rule = rule_for(str(event.get("kind")))
    if rule is None:
        return []
    found: dict[str, Recipient] = {}
    sms_only: list[Recipient] = []
    for audience in rule.audiences:
        if audience is Audience.ENGINEER:
            users = await _engineer(session, event.get("technician_id"))
        elif audience is Audience.CLERKS:
            users = await _clerks(session, event.get("branch_id"))
        else:
            if event["kind"] == EventKind.JOB_ASSIGNED and not _has_window(event):
                continue  # an assignment without an agreed window tells the customer nothing
            users = await _customer_users(session, event.get("customer_id"))
            if not users:
                sms_only.extend(await _customer_phone(session, event.get("customer_id")))
        for user in users:
            if user.id != event.get("actor_id"):  # nobody is told what they did themselves
                found.setdefault(user.id, _recipient(audience, user))
    muted = await _muted(session, list(found))
    return [
        Recipient(r.audience, r.user_id, r.locale, r.phone, r.user_id in muted)
        for r in found.values()
    ] + sms_only


def _has_window(event: dict[str, Any]) -> bool:
    data = event.get("data") or {}
    return bool(data.get("appointment_start"))


def _recipient(audience: Audience, user: User) -> Recipient:
    return Recipient(audience, user.id, user.locale or "zh-CN", user.phone)


async def _engineer(session: AsyncSession, technician_id: Any) -> list[User]:
    if not technician_id:
        return []
    stmt = (
        select(User)
        .join(Technician, Technician.user_id == User.id)
        .where(Technician.id == str(technician_id), User.is_active.is_(True))
    )
    return list((await session.execute(stmt)).scalars())


async def _clerks(session: AsyncSession, branch_id: Any) -> list[User]:
    if not branch_id:
        return []
    stmt = select(User).where(
        User.role == Role.CLERK,
        User.branch_id == str(branch_id),
        User.is_active.is_(True),
        User.deleted_at.is_(None),
    )
    return list((await session.execute(stmt.order_by(User.id))).scalars())


async def _customer_users(session: AsyncSession, customer_id: Any) -> list[User]:
    if not customer_id:
        return []
    stmt = select(User).where(
        User.role == Role.CUSTOMER,
        User.customer_id == str(customer_id),
        User.is_active.is_(True),
        User.deleted_at.is_(None),
    )
    return list((await session.execute(stmt.order_by(User.id))).scalars())


async def _customer_phone(session: AsyncSession, customer_id: Any) -> list[Recipient]:
    customer = await session.get(Customer, str(customer_id)) if customer_id else None
    if customer is None or not customer.phone or customer.deleted_at is not None:
        return []
    return [Recipient(Audience.CUSTOMER, None, "zh-CN", customer.phone)]


async def _muted(session: AsyncSession, user_ids: list[str]) -> set[str]:
    if not user_ids:
        return set()
    stmt = select(NotificationPreference.user_id).where(
        NotificationPreference.user_id.in_(user_ids),
        NotificationPreference.muted_non_essential.is_(True),
    )
    return set((await session.execute(stmt)).scalars())
