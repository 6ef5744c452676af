"""POST /sync/pull: what changed for this phone since its cursor.

Two steps: first, in one transaction, decide per table which records to send as created,
updated or deleted, and note them as held from the new cursor; then stream the records,
read in chunks, so a busy engineer's first pull never sits whole in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.clock import clock_of
from wellspring.domain.config import config_of
from wellspring.domain.custom_fields.definitions import definitions
from wellspring.domain.inventory import line_keys
from wellspring.domain.models.enums import CustomFieldEntity, LedgerKind
from wellspring.domain.sync.scope import Scope, chunks, engineer_scope
from wellspring.domain.sync.unchanged import scope_unchanged
from wellspring.domain.versioning import current_version, highest_version

from . import held
from .errors import SyncError
from .field_values import custom_fields_json, on_site_fields_json
from .tables import TABLES, Consumption, Table, record, thumbnail_url

MODELS: dict[str, Any] = {
    "jobs": m.Job,
    "tickets": m.Ticket,
    "customers": m.Customer,
    "addresses": m.Address,
    "devices": m.Device,
    "device_models": m.DeviceModel,
    "parts": m.Part,
    "van_stock": m.StockBalance,
    "part_consumptions": m.StockEntry,
    "water_tests": m.WaterTest,
    "job_notes": m.JobNote,
    "job_events": m.JobEvent,
    "articles": m.Article,
    "attachments": m.Attachment,
    "filter_types": m.FilterType,
}


@dataclass
class Migration:
    """WatermelonDB's ``migration`` pull: new tables and new columns since ``from``."""

    tables: set[str] = field(default_factory=set)
    columns: set[str] = field(default_factory=set)  # tables that gained columns


@dataclass
class Plan:
    timestamp: int
    schema_version: int
    created: dict[str, list[str]] = field(default_factory=dict)
    updated: dict[str, list[str]] = field(default_factory=dict)
    deleted: dict[str, list[str]] = field(default_factory=dict)
    entry_ids: dict[str, str] = field(default_factory=dict)


def tables_at(version: int) -> list[Table]:
    return [t for t in TABLES.values() if t.since <= version]


async def plan_pull(
    session: AsyncSession,
    actor: Actor,
    *,
    client_id: str,
    last_pulled_at: int | None,
    schema_version: int,
    migration: Migration | None,
    now: dt.datetime,
    quiet_since: dt.datetime | None = None,
) -> Plan:
    """Decide what to send and record it as held; the caller commits.

    ``quiet_since``: the time of the pull that returned ``last_pulled_at`` to this
    installation, when this pull asks with that very cursor, schema version and no migration;
    then one statement may show that nothing changed (``unchanged.py``) and the answer is
    empty without reading the scope."""
    timestamp = await current_version(session)
    if timestamp <= 0:
        # The engineer's own user row carries a version, so this cannot happen in a database
        # someone signed in to; a cursor of 0 would make the client throw.
        raise SyncError(503, "SYNC_UNAVAILABLE")
    cursor = last_pulled_at or 0
    if cursor > timestamp:
        if cursor > await highest_version(session):
            # Not a cursor this server gave (its database was restored or replaced): the
            # phone must start again from an empty database (docs/sync.md).
            raise SyncError(400, "CURSOR_AHEAD")
        # A cursor given a moment ago, above this moment's (``highest_version`` says how):
        # every version at or below it was committed, so it stays the phone's place.
        timestamp = cursor
    plan = Plan(timestamp=timestamp, schema_version=schema_version)
    if (
        quiet_since is not None
        and last_pulled_at is not None
        and migration is None
        and await scope_unchanged(
            session,
            actor,
            client_id=client_id,
            cursor=last_pulled_at,
            pulled_at=quiet_since,
            now=now,
        )
    ):
        return plan  # nothing to send, nothing held changes
    scope = await engineer_scope(session, actor, now)
    plan.entry_ids = scope.entry_ids
    followed = [t.name for t in tables_at(schema_version) if t.name != "parts"]
    held_now = await held.held_by_table(session, client_id, followed, cursor)
    for table in tables_at(schema_version):
        since = cursor
        if migration is not None and (
            table.name in migration.tables or table.name in migration.columns
        ):
            since = 0  # the phone lacks the table, or columns of every record
        if table.name == "parts":
            await _plan_catalogue(session, plan, client_id, cursor, since)
            continue
        now_in = scope.versions[table.name]
        holding = held_now[table.name]
        created = [r for r in now_in if r not in holding]
        updated = [r for r in now_in if r in holding and now_in[r] > since]
        deleted = sorted(holding - now_in.keys())
        plan.created[table.name] = sorted(created)
        plan.updated[table.name] = sorted(updated)
        plan.deleted[table.name] = deleted
        await held.mark_sent(session, client_id, table.name, created, timestamp)
        await held.mark_removed(session, client_id, table.name, deleted, timestamp)
    return plan


async def _plan_catalogue(
    session: AsyncSession, plan: Plan, client_id: str, cursor: int, since: int
) -> None:
    """Parts: every phone holds the whole catalogue, so only changed rows are read."""
    rows = (
        await session.execute(select(m.Part.id, m.Part.deleted_at).where(m.Part.version > since))
    ).all()
    holding = await held.held_as_of(session, client_id, "parts", cursor, [r for r, _ in rows])
    live = [r for r, gone in rows if gone is None]
    gone = [r for r, deleted_at in rows if deleted_at is not None and r in holding]
    created = sorted(r for r in live if r not in holding)
    plan.created["parts"] = created
    plan.updated["parts"] = sorted(r for r in live if r in holding)
    plan.deleted["parts"] = sorted(gone)
    await held.mark_sent(session, client_id, "parts", created, plan.timestamp)
    await held.mark_removed(session, client_id, "parts", gone, plan.timestamp)


# The answer goes out in pieces of about this size: one ASGI message per record (or per
# bracket) cost more than encoding it (bench/sync), while memory stays bounded.
PIECE_BYTES = 64 * 1024


# A pull of at most this many records is answered whole, read in the transaction that
# planned it; a larger one streams (``stream_changes``), read in a transaction of its own.
INLINE_RECORDS = 200


def records_planned(plan: Plan) -> int:
    return sum(len(ids) for kind in (plan.created, plan.updated) for ids in kind.values())


async def changes_json(session: AsyncSession, plan: Plan) -> bytes:
    """The whole answer of a small pull (at most ``INLINE_RECORDS``), read by ``session``
    after its writes are flushed: the reading lets go of the rows it loaded."""
    return b"".join([piece async for piece in _json_pieces(session, plan)])


async def stream_changes(
    factory: async_sessionmaker[AsyncSession], plan: Plan
) -> AsyncIterator[bytes]:
    """The pull's JSON in pieces of about ``PIECE_BYTES`` (records read 500 at a time)."""
    buffer = bytearray()
    async with factory() as session:
        async for piece in _json_pieces(session, plan):
            buffer += piece
            if len(buffer) >= PIECE_BYTES:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


async def _json_pieces(session: AsyncSession, plan: Plan) -> AsyncIterator[bytes]:
    """The pull's JSON, table by table, record by record."""
    yield b'{"changes":{'
    for index, table in enumerate(tables_at(plan.schema_version)):
        if index:
            yield b","
        yield _dump(table.name) + b":{"
        for kind_index, kind in enumerate(("created", "updated")):
            if kind_index:
                yield b","
            yield f'"{kind}":['.encode()
            first = True
            ids = getattr(plan, kind).get(table.name, [])
            if not ids:
                yield b"]"
                continue
            async for rec in _records(session, table, ids, plan):
                yield (b"" if first else b",") + _dump(rec)
                first = False
            yield b"]"
        yield b',"deleted":' + _dump(plan.deleted.get(table.name, [])) + b"}"
    yield b'},"timestamp":' + str(plan.timestamp).encode() + b"}"


def _dump(value: Any) -> bytes:
    # orjson: compact UTF-8 at several times the standard library's speed (bench/sync).
    return orjson.dumps(value)


async def _records(
    session: AsyncSession, table: Table, ids: list[str], plan: Plan
) -> AsyncIterator[dict[str, Any]]:
    model = MODELS[table.name]
    if table.name == "part_consumptions":
        async for rec in _consumptions(session, table, ids, plan):
            yield rec
        return
    media = config_of(session).media
    now = clock_of(session).now()
    custom = (
        await definitions(session, CustomFieldEntity.TICKET, is_active=True)
        if table.name == "tickets" and plan.schema_version >= 4
        else []
    )
    site = (
        await _on_site_definitions(session)
        if table.name == "tickets" and plan.schema_version >= 6
        else None
    )
    columns = model.__table__.c
    for part in chunks(ids):
        # Core rows, read by the same functions by attribute: no ORM identity map, no
        # instance state per record (bench/sync: the pull of 5,000 changes).
        rows = (await session.execute(select(*columns).where(columns.id.in_(part)))).all()
        devices = await _device_values(session, rows) if site and site[1] else {}
        view = _view(model)
        for found in sorted(rows, key=lambda r: r.id):
            row: Any = view(found) if view else found
            rec = record(table, row.id, row, plan.schema_version)
            if table.name == "attachments":
                rec["thumbnail_url"] = thumbnail_url(row, media, now)
            elif custom:
                rec["custom_fields"] = custom_fields_json(row.custom_fields, custom)
            if site is not None:
                rec["on_site_fields"] = on_site_fields_json(
                    row, site[0], site[1], devices.get(row.device_id)
                )
            yield rec
        session.expunge_all()


async def _on_site_definitions(
    session: AsyncSession,
) -> tuple[list[m.CustomField], list[m.CustomField]]:
    """The active on-site fields of tickets and of devices (schema 6)."""
    found = []
    for entity in (CustomFieldEntity.TICKET, CustomFieldEntity.DEVICE):
        fields = await definitions(session, entity, is_active=True)
        found.append([f for f in fields if f.on_site])
    return found[0], found[1]


async def _device_values(session: AsyncSession, tickets: Sequence[Any]) -> dict[str, Any]:
    """The custom-field values of the devices these tickets reach, by device id."""
    wanted = sorted({t.device_id for t in tickets if t.device_id})
    if not wanted:
        return {}
    rows = await session.execute(
        select(m.Device.id, m.Device.custom_fields).where(m.Device.id.in_(wanted))
    )
    return {device_id: values for device_id, values in rows}


class _RowView:
    """A Core row read like its model: columns from the row, the model's properties on it."""

    __slots__ = ("_row",)

    def __init__(self, row: Any) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)


_VIEWS: dict[Any, Any] = {}


def _view(model: Any) -> Any:
    """The view class of ``model`` (None when it has no properties: the row itself serves)."""
    if model not in _VIEWS:
        props = {
            name: value
            for klass in reversed(model.__mro__)
            for name, value in vars(klass).items()
            if isinstance(value, property)
        }
        _VIEWS[model] = (
            type(f"{model.__name__}Row", (_RowView,), {"__slots__": (), **props}) if props else None
        )
    return _VIEWS[model]


async def _consumptions(
    session: AsyncSession, table: Table, ids: list[str], plan: Plan
) -> AsyncIterator[dict[str, Any]]:
    by_entry = {plan.entry_ids[i]: i for i in ids if i in plan.entry_ids}
    for part in chunks(list(by_entry)):
        entries = list(
            (await session.execute(select(m.StockEntry).where(m.StockEntry.id.in_(part)))).scalars()
        )
        olds = [line_keys.old_part_key(e.client_id) for e in entries if e.client_id]
        returned: set[str] = set()
        for old_part in chunks(olds):
            found = await session.execute(
                select(m.StockEntry.client_id).where(
                    m.StockEntry.kind == LedgerKind.OLD_PART,
                    m.StockEntry.client_id.in_(old_part),
                )
            )
            returned.update(c for (c,) in found.all() if c)
        for entry in sorted(entries, key=lambda e: by_entry[e.id]):
            old = line_keys.old_part_key(entry.client_id) if entry.client_id else None
            consumption = Consumption(entry, old in returned)
            yield record(table, by_entry[entry.id], consumption, plan.schema_version)
        session.expunge_all()


__all__ = ["Migration", "Plan", "Scope", "plan_pull", "stream_changes"]
