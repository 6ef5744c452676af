"""The audit log: one append-only row per operation that changed something."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wellspring import context

from . import permissions
from .actor import Actor
from .models import AuditEntry
from .models.base import utcnow
from .pagination import Page, SortKey, paginate

HOLD = "wellspring.audit.held"


def record(
    session: AsyncSession,
    actor: Actor | None,
    action: str,
    *,
    entity_type: str,
    entity_id: str | None = None,
    **detail: Any,
) -> AuditEntry:
    """Add an audit row in the caller's transaction (it commits or rolls back with the work)."""
    row = entry(actor, action, entity_type=entity_type, entity_id=entity_id, **detail)
    held = session.info.get(HOLD)
    if held is not None:
        row.at = utcnow()  # the time it happened, though written later
        held.append(row)
    else:
        session.add(row)
    return row


def entry(
    actor: Actor | None,
    action: str,
    *,
    entity_type: str,
    entity_id: str | None = None,
    **detail: Any,
) -> AuditEntry:
    """An audit row not yet added: one a refusal keeps after its work is rolled back
    (``DomainError.keep``)."""
    return AuditEntry(
        actor_id=actor.user_id if actor and actor.user_id else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        detail=detail,
        request_id=context.request_id.get(),
    )


def hold(session: AsyncSession) -> list[AuditEntry]:
    """From now on, keep this session's audit rows aside (a phone's push writes them all in
    one statement at its end: ``release``). The caller drops those of work it rolls back."""
    held: list[AuditEntry] = session.info.setdefault(HOLD, [])
    return held


def release(session: AsyncSession) -> None:
    """Add the rows kept aside to the session, and write them as they come again."""
    session.add_all(session.info.pop(HOLD, []))


async def log_page(
    session: AsyncSession, actor: Actor, *, first: int | None, after: str | None
) -> Page[AuditEntry]:
    """Admins: the audit log, newest first."""
    permissions.check(actor, "audit.read")
    order = (SortKey(AuditEntry.at), SortKey(AuditEntry.id))
    return await paginate(
        session,
        select(AuditEntry),
        order=order,
        first=first,
        after=after,
        row_key=lambda e: (e.at, e.id),
    )
