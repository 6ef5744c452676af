"""The rules of phone sync: who may sync, which installation is whose, what a phone may write.

The wire (JSON shapes, the tables' columns, streaming) is ``wellspring.mobile_sync``'s; what
the phone holds is ``scope.py``'s; which version an edit is judged against is
``baseline.py``'s. These rules answer with domain errors; the endpoint maps them to HTTP.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from .. import permissions
from ..actor import Actor
from ..errors import DomainError
from ..models import SyncClient

# Records a phone may create (its offline work) ...
CREATABLE = frozenset(
    {"part_consumptions", "water_tests", "job_notes", "job_events", "attachments"}
)
# ... and the only columns it may change on a record it holds: a job's appointment. Every
# other column is the server's: a phone's value for it is refused, never applied.
EDITABLE: dict[str, frozenset[str]] = {
    "jobs": frozenset({"appointment_start", "appointment_end"}),
}
# A ledger entry is never edited; a correction is a new entry.
LEDGER = frozenset({"part_consumptions"})
# Conflicts the merge rules settle for the server (docs/sync.md): the phone's record is
# marked synced and the next pull brings the server's values; not a rejection to retry.
SERVER_WINS = frozenset({"CHANGED_ON_SERVER"})


def check_may_sync(actor: Actor) -> None:
    """Only an engineer syncs a phone: what it holds follows their jobs (``sync.use``)."""
    permissions.check(actor, "sync.use")


async def installation(
    session: AsyncSession, actor: Actor, client_id: str, schema_version: int | None
) -> SyncClient:
    """The phone installation ``client_id``, bound to the first user who synced it.

    Another user signed in on the same installation is refused
    (``SYNC_CLIENT_OF_ANOTHER_USER``): the records it holds are not theirs to see.
    """
    client = await session.get(SyncClient, client_id)
    if client is None:
        client = SyncClient(id=client_id, user_id=actor.user_id)
        session.add(client)
    elif client.user_id != actor.user_id:
        raise DomainError("SYNC_CLIENT_OF_ANOTHER_USER")
    if schema_version is not None:
        client.schema_version = schema_version
    await session.flush()
    return client


def check_edit(table: str, columns: frozenset[str]) -> None:
    """Refuse a phone's change to a column it may not edit (nothing changed: nothing to say)."""
    if not columns:
        return
    if table in LEDGER:
        raise DomainError("READ_ONLY_TABLE", field=table)
    editable = EDITABLE.get(table, frozenset())
    if not editable:  # the field names the table, as for a ledger entry
        raise DomainError("READ_ONLY_TABLE", field=table)
    not_allowed = sorted(columns - editable)
    if not_allowed:
        raise DomainError("READ_ONLY_COLUMN", field=not_allowed[0])


__all__ = [
    "CREATABLE",
    "EDITABLE",
    "LEDGER",
    "SERVER_WINS",
    "check_edit",
    "check_may_sync",
    "installation",
]
