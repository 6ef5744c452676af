"""A push's body read as records: checked whole (shape, tables, columns, ids, size) before
anything is applied, so a bad request changes nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import SyncError
from .tables import TABLES, Table

MAX_RECORDS = 1000
MAX_CURSOR = 2**63 - 1  # a version is a signed 64-bit column
ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
META = frozenset({"id", "_status", "_changed"})


@dataclass(frozen=True)
class Incoming:
    table: Table
    kind: str  # created | updated | deleted
    id: str
    values: dict[str, Any]  # as sent: values.py checks them when the record is applied
    changed: Any  # the phone's ``_changed`` as sent


def parse(body: Any, schema_version: int) -> tuple[int, list[Incoming]]:
    """The push as records, or ``SyncError`` (400/413) with nothing applied."""
    if not isinstance(body, dict):
        raise SyncError(400, "SYNC_BAD_REQUEST")
    cursor = body.get("lastPulledAt")
    if isinstance(cursor, bool) or not isinstance(cursor, int) or not 0 < cursor <= MAX_CURSOR:
        raise SyncError(400, "LAST_PULLED_AT_REQUIRED")
    changes = body.get("changes")
    if not isinstance(changes, dict):
        raise SyncError(400, "SYNC_BAD_REQUEST")
    records: list[Incoming] = []
    for name, kinds in changes.items():
        table = TABLES.get(name)
        if table is None or table.since > schema_version:
            raise SyncError(400, "UNKNOWN_TABLE", table=str(name)[:64])
        if not isinstance(kinds, dict) or set(kinds) - {"created", "updated", "deleted"}:
            raise SyncError(400, "SYNC_BAD_REQUEST")
        known = {c.name for c in table.columns_at(schema_version)}
        for kind in ("created", "updated"):
            for raw in _list(kinds.get(kind)):
                if not isinstance(raw, dict):
                    raise SyncError(400, "SYNC_BAD_REQUEST")
                record_id = _id(raw.get("id"))
                unknown = set(raw) - known - META
                if unknown:
                    raise SyncError(400, "UNKNOWN_COLUMN", table=name, column=sorted(unknown)[0])
                values = {k: v for k, v in raw.items() if k not in META}
                records.append(Incoming(table, kind, record_id, values, raw.get("_changed")))
        for raw_id in _list(kinds.get("deleted")):
            records.append(Incoming(table, "deleted", _id(raw_id), {}, None))
        if len(records) > MAX_RECORDS:
            raise SyncError(413, "PUSH_TOO_LARGE", maximum=MAX_RECORDS)
    return cursor, records


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SyncError(400, "SYNC_BAD_REQUEST")
    return value


def _id(value: Any) -> str:
    if not isinstance(value, str) or not ID.match(value):
        raise SyncError(400, "INVALID_RECORD_ID")
    return value
