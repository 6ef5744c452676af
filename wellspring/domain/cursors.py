"""Keyset cursors: the sort values of a page's last row, written as base64url JSON.

A cursor is opaque, but nothing stops a client from writing one: any JSON at all can come
back. Each value is therefore read as a value of its sort column's type (an aware instant, a
day, an integer in the column's range, a member of the enum, text a database can hold), and
anything else is ``INVALID_CURSOR``, never carried into the SQL, where a null, a string for an
instant or an infinite float failed the request with an internal error.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import BigInteger, Date, DateTime, Enum, Integer, SmallInteger, String
from sqlalchemy.types import TypeDecorator, TypeEngine

from .errors import DomainError

# PostgreSQL refuses a NUL in text and no driver encodes an unpaired surrogate (JSON's \ud800).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Integer types by their range in PostgreSQL (an Integer column is 32 bits there).
_INTEGER_BITS: tuple[tuple[type[Integer], int], ...] = (
    (BigInteger, 64),
    (SmallInteger, 16),
    (Integer, 32),
)


class _NotOurs(ValueError):
    """A cursor value that no row of the list could have written."""


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if hasattr(value, "value") and isinstance(value.value, str):  # enum members
        return value.value
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    # orjson writes what json.dumps writes compactly (but non-ASCII as UTF-8, which
    # ``decode_cursor`` reads as well), in a fraction of the time: a page encodes one a row.
    encoded = [_encode_value(v) for v in values]
    try:
        raw = orjson.dumps(encoded)
    except TypeError:  # what orjson does not write (an integer past 64 bits): json does
        raw = json.dumps(encoded, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _written(value: Any, tag: str) -> str:
    """The ISO text of a ``{tag: text}`` value (how times and days are written)."""
    if not isinstance(value, dict) or value.keys() != {tag} or not isinstance(value[tag], str):
        raise _NotOurs(tag)
    text: str = value[tag]
    return text


def _instant(value: Any, aware: bool) -> dt.datetime:
    when = dt.datetime.fromisoformat(_written(value, "dt"))
    if not aware:
        if when.tzinfo is not None:
            raise _NotOurs("an aware time for a naive column")
        return when
    if when.tzinfo is None:
        raise _NotOurs("a naive time for an aware column")
    try:  # 0001-01-01T00:00+05:00 has no UTC time: it would overflow when stored
        return when.astimezone(dt.UTC)
    except OverflowError as exc:
        raise _NotOurs("no UTC time") from exc


def _typed(value: Any, type_: TypeEngine[Any]) -> Any:
    """``value`` read as a value of a sort column of ``type_``, else ``_NotOurs``."""
    if isinstance(type_, TypeDecorator):  # UTCDateTime: its stored type says what it takes
        type_ = type_.impl_instance
    if isinstance(type_, DateTime):
        return _instant(value, bool(type_.timezone))
    if isinstance(type_, Date):
        return dt.date.fromisoformat(_written(value, "d"))
    if isinstance(type_, Integer):
        # bool is an int in Python, and a float (1e400 is inf) none: both refused.
        if type(value) is not int:
            raise _NotOurs("not an integer")
        bits = next(b for kind, b in _INTEGER_BITS if isinstance(type_, kind))
        if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise _NotOurs("out of the column's range")
        return value
    if isinstance(type_, Enum):  # before String, which it extends
        if not isinstance(value, str):
            raise _NotOurs("not an enum value")
        if type_.enum_class is not None:
            return type_.enum_class(value)  # ValueError for a value not of the enum
        if value not in type_.enums:
            raise _NotOurs("not an enum value")
        return value
    if isinstance(type_, String):
        if not isinstance(value, str) or _UNSTORABLE.search(value):
            raise _NotOurs("not text a database holds")
        return value
    # A list sorted by a column of another type needs its rule here: fail loudly in its tests.
    raise TypeError(f"no cursor rule for a sort column of type {type_!r}")


def decode_cursor(cursor: str, columns: Sequence[Any]) -> list[Any]:
    """The sort values of ``cursor``, one per column of ``columns`` (the list's order), each
    of its column's type; ``INVALID_CURSOR`` for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(columns):
            raise _NotOurs("wrong width")
        return [_typed(v, c.type) for v, c in zip(values, columns, strict=True)]
    except (ValueError, RecursionError) as exc:
        # Bad base64, bad UTF-8 and bad JSON are ValueErrors too; a cursor nested thousands
        # deep is no cursor either.
        raise DomainError("INVALID_CURSOR", field="after") from exc
