"""The tracking link a customer's message carries, made when the message is sent.

Only a link's hash is stored (``domain/tracking/links.py``); so that no table gives a token
back either, a customer's delivery row holds its text *without* the link and a mark
(:data:`MARK`), and the worker issues the link and adds it to the text at the moment it
sends, in a copy that is never written back. The inbox item stores no link at all: its
reader is signed in and follows the visit by its ticket (``visitTracking``, ``rateVisit``).
A retried send issues another link; each ends as any link does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.domain.models import OutboxMessage, Ticket
from wellspring.domain.tracking import links
from wellspring.i18n.notifications import link_text

# The customer's messages that carry a link (issue 17): the appointment, a new window, the
# engineer setting off, and the rating request once the visit is done (rated on the page).
TRACKED_KINDS = frozenset({"JOB_ASSIGNED", "JOB_RESCHEDULED", "ENGINEER_EN_ROUTE", "JOB_COMPLETED"})
MARK = "tracking_link"  # in a delivery's payload: add a new link when sending


async def as_sent(
    session: AsyncSession, rows: Sequence[OutboxMessage], *, now: dt.datetime
) -> dict[str, dict[str, Any]]:
    """The payloads to send for the marked ``rows`` (by row id), each with a new link in its
    body and in its SMS parameters (``tracking_url``). A visit the link could no longer open
    (its ticket gone, or over too long ago) is sent without one."""
    sent: dict[str, dict[str, Any]] = {}
    for row in rows:
        payload = row.payload
        if not payload.get(MARK):
            continue
        ticket = await session.get(Ticket, str(payload.get("ticket_id") or ""))
        if ticket is None or ticket.deleted_at is not None:
            continue
        issued = await links.issue(session, ticket=ticket, now=now, purpose=links.SENT)
        if issued.expires_at <= now:
            continue
        locale = str(payload.get("locale") or "zh-CN")
        body = str(payload.get("body") or "") + link_text(str(row.kind), issued.url, locale)
        params = {**(payload.get("params") or {}), "tracking_url": issued.url}
        sent[row.id] = {**payload, "body": body, "params": params}
    return sent
