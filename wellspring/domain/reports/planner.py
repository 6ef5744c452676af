"""The daily maintenance planner: FILTER_CHANGE work for every device due (``usage``).

Run by ``wellspring maintenance plan`` or the periodic worker (``plan_maintenance``). It
works branch by branch (one batch each, at most ``MAX_PER_BRANCH`` new tickets a day, in
device id order so a capped branch gets the same devices on a rerun), and never
opens a second ticket for a device: the desk's own duplicate rule
(``opening.check_duplicate``: a FILTER_CHANGE ticket in hand) and the planner's ticket of
the same day (a second run, after someone cancelled the first, adds nothing) both skip it.
The customer's reminders (supply expiring, filters due, follow-ups due) are the notification
scan's (``notifications/scan.py``); the planner adds only those the scan lacks
(``reminders.py``: buckets running low, lapsed plans to call back).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import permissions
from ..actor import Actor
from ..clock import clock_of
from ..config import TIME_ZONE
from ..errors import DomainError
from ..models import Device, Ticket, User
from ..models.enums import Channel, Priority, Role, TicketType
from ..workflow.opening import check_duplicate, new_ticket
from . import reminders
from .usage import Due, DueReason, due_devices

MAX_PER_BRANCH = 500
PLANNER_USERNAME = "maintenance-planner"
_REASONS_ZH = {
    DueReason.INTERVAL: "滤芯到期",
    DueReason.VOLUME: "用水量达到滤芯容量",
    DueReason.TDS_DRIFT: "TDS 持续升高",
}


@dataclass
class PlanResult:
    day: dt.date
    due: int = 0
    opened: dict[str, int] = field(default_factory=dict)  # branch id -> tickets opened
    skipped: int = 0  # due, but a ticket is already in hand (or was opened today)
    reminders: int = 0  # revenue reminders emitted (reminders.py)

    @property
    def total_opened(self) -> int:
        return sum(self.opened.values())


async def _planner_actor(session: AsyncSession, actor: Actor) -> Actor:
    """The system runs the planner as its own login (disabled: nobody signs in with it), so
    every ticket it opens names a creator, as the audit needs."""
    if actor.user_id:
        return actor
    user = await session.scalar(select(User).where(User.username == PLANNER_USERNAME))
    if user is None:
        user = User(
            username=PLANNER_USERNAME,
            display_name="维护计划",
            password_hash="!",  # noqa: S106 (no password can match)
            role=Role.HQ,
            is_active=False,
        )
        session.add(user)
        await session.flush()
    return Actor(user_id=user.id, username=user.username, role=Role.HQ)


async def _opened_today(session: AsyncSession, day: dt.date) -> set[str]:
    rows = await session.execute(
        select(Ticket.device_id).where(
            Ticket.type == TicketType.FILTER_CHANGE,
            Ticket.channel == Channel.SYSTEM,
            Ticket.device_id.is_not(None),
            Ticket.details["planned_on"].as_string() == day.isoformat(),
        )
    )
    return {d for (d,) in rows if d is not None}


async def _open(
    session: AsyncSession, actor: Actor, device: Device, due: Due, day: dt.date
) -> None:
    reasons = sorted(due.reasons)
    text = "、".join(_REASONS_ZH[r] for r in reasons)
    if due.stages:
        text += "：" + "、".join(sorted(due.stages))
    await new_ticket(
        session,
        actor,
        type=TicketType.FILTER_CHANGE,
        priority=Priority.NORMAL,
        opened_at=clock_of(session).now(),
        reason="maintenance plan",
        channel=Channel.SYSTEM,
        customer_id=device.customer_id,
        branch_id=device.branch_id,
        device_id=device.id,
        address_id=device.address_id,
        description=f"计划维护（{text}）",
        created_by_id=actor.user_id,
        handler_id=actor.user_id,
        details={"planned_on": day.isoformat(), "due_reasons": [r.value for r in reasons]},
    )


async def plan_maintenance(session: AsyncSession, actor: Actor) -> PlanResult:
    """Open today's FILTER_CHANGE tickets, batched per branch; the caller commits."""
    permissions.check(actor, "maintenance.plan")
    now = clock_of(session).now()
    day = now.astimezone(TIME_ZONE).date()
    result = PlanResult(day=day)
    result.reminders = await reminders.remind(session, now=now)
    found = await due_devices(session, now=now)
    result.due = len(found)
    if not found:
        return result
    opener = await _planner_actor(session, actor)
    already = await _opened_today(session, day)
    by_branch: dict[str, list[Due]] = defaultdict(list)
    for due in found.values():
        by_branch[due.branch_id].append(due)
    for branch_id in sorted(by_branch):
        batch = sorted(by_branch[branch_id], key=lambda d: d.device_id)
        opened = 0
        for due in batch:
            if opened >= MAX_PER_BRANCH or due.device_id in already:
                result.skipped += 1
                continue
            try:
                await check_duplicate(session, due.device_id, TicketType.FILTER_CHANGE)
            except DomainError:
                result.skipped += 1
                continue
            device = await session.get(Device, due.device_id)
            if device is None or device.customer_id is None:
                continue
            await _open(session, opener, device, due, day)
            opened += 1
        if opened:
            result.opened[branch_id] = opened
            await session.flush()
    return result
