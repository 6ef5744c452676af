"""An outbox event becomes inbox items and deliveries, in one transaction with its row's end.

Who hears it, whether now or after the quiet hours, and whether a muted user is still pushed
are the domain's rules (``domain/notifications/routing.py``); this module only writes what
they decide: one inbox item per user, one delivery per push device (``FCM``/``HUAWEI``), or
one SMS to a customer who has no app. Each delivery carries the text already rendered in the
recipient's language, so a sender needs no database; a customer's tracking link is the one
thing added when it is sent (``tracking_links.py``), so that no row stores it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.domain.models import Notification, OutboxMessage, PushDevice
from wellspring.domain.models.enums import OutboxStatus
from wellspring.domain.notifications import routing
from wellspring.i18n.notifications import render

from . import outbox
from .tracking_links import MARK, TRACKED_KINDS

SMS = "SMS"


async def fan_out(session: AsyncSession, row: OutboxMessage, *, now: dt.datetime) -> int:
    """Write what ``row`` (a FANOUT row) means; returns the number of deliveries."""
    event: dict[str, Any] = row.payload
    rule = routing.rule_for(row.kind)
    if rule is None:
        return 0
    people = await routing.recipients(session, event)
    deliveries: list[dict[str, Any]] = []
    for person in people:
        # The customer's message gets a new tracking link when it is sent (never stored).
        tracked = person.audience is routing.Audience.CUSTOMER and row.kind in TRACKED_KINDS
        if person.user_id is not None:
            await _inbox(session, person.user_id, row, event)
        if person.muted_non_essential and not rule.essential:
            continue  # muted: the inbox keeps it, nothing is pushed
        when = now
        if rule.quiet and person.audience is routing.Audience.CUSTOMER:
            when = routing.quiet_until(now) or now
        devices = await _devices(session, person.user_id) if person.user_id else []
        for device in devices:
            deliveries.append(
                _delivery(row, device.provider.value, device.id, person, when, device, tracked)
            )
        if not devices and person.audience is routing.Audience.CUSTOMER and person.phone:
            deliveries.append(_delivery(row, SMS, person.phone, person, when, None, tracked))
    if deliveries:
        await session.execute(outbox.insert_ignoring_duplicates(session), deliveries)
    return len(deliveries)


async def _inbox(
    session: AsyncSession,
    user_id: str,
    row: OutboxMessage,
    event: dict[str, Any],
) -> None:
    exists = await session.execute(
        select(Notification.id).where(
            Notification.event_id == row.event_id, Notification.user_id == user_id
        )
    )
    if exists.first() is not None:
        return  # a fan-out retried after a crash: the item is there already
    session.add(
        Notification(
            user_id=user_id,
            event_id=row.event_id,
            kind=row.kind,
            data=dict(event.get("data") or {}),
            ticket_id=event.get("ticket_id"),
            job_id=event.get("job_id"),
            created_at=dt.datetime.fromisoformat(event["at"]),
        )
    )
    await session.flush()


async def _devices(session: AsyncSession, user_id: str) -> list[PushDevice]:
    stmt = select(PushDevice).where(PushDevice.user_id == user_id).order_by(PushDevice.id)
    return list((await session.execute(stmt)).scalars())


def _delivery(
    row: OutboxMessage,
    channel: str,
    recipient: str,
    person: routing.Recipient,
    when: dt.datetime,
    device: PushDevice | None,
    tracked: bool,
) -> dict[str, Any]:
    locale = device.locale if device is not None else person.locale
    data = dict(row.payload.get("data") or {})
    for_customer = person.audience is routing.Audience.CUSTOMER
    title, body = render(row.kind, data, locale, for_customer=for_customer)
    payload = {
        "event_id": row.event_id,
        "kind": row.kind,
        "title": title,
        "body": body,
        "locale": locale,
        "ticket_id": row.payload.get("ticket_id"),
        "job_id": row.payload.get("job_id"),
        "params": {k: str(v) for k, v in data.items() if v is not None},
        "token": device.token if device is not None else "",
        "token_kind": device.token_kind.value if device is not None else "",
        "app_id": device.app_id if device is not None else "",
        "phone": person.phone if device is None else "",
    }
    if tracked:
        payload[MARK] = True
    return {
        "id": str(uuid.uuid4()),
        "event_id": row.event_id,
        "kind": row.kind,
        "channel": channel,
        "recipient": recipient[:64],
        "user_id": person.user_id,
        "payload": payload,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "available_at": when,
        "leased_by": "",
        "last_error": "",
        "created_at": row.created_at,
        # The event's place in the order said: a recipient's messages go out in it (claim).
        "seq": row.seq,
        "ordinal": row.ordinal,
    }
