"""Declarative base, column types and the mixins every table shares."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, MetaData, Numeric, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no timezone type and returns naive values; this keeps both engines alike.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError("UTCDateTime needs a datetime")
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: give a timezone")
        utc: dt.datetime = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        # asyncpg already reads a timestamptz as an aware datetime in UTC: nothing to do, and
        # doing it anyway cost a list page about a thousand calls (issue 19 §3).
        if dialect.name == "postgresql" and dialect.driver == "asyncpg":
            return None
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError("expected a datetime from the database")
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def code_key(value: str) -> str:
    """A code as it is stored and compared: codes are case-insensitive identifiers ("sh" and
    "SH" name one branch), kept trimmed and upper-case."""
    return value.strip().upper()


class CodeString(TypeDecorator[str]):
    """A code column (a branch's, an agent's, a part's SKU ...). Every value bound to it, in
    a write or in a comparison, goes through :func:`code_key`: no path (a mutation, an
    import's bulk insert, an export's filter, a lookup) can store a lowercase lookalike of a
    code or miss a code for the case it was typed in."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else code_key(value)


Money = Numeric(12, 2, asdecimal=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        Decimal: Money,
    }


class Record:
    """Columns of every synced table.

    ``id`` is a string UUID a phone can generate offline; ``version`` is the server-wide change
    version its writing transaction stamps (``domain.versioning``); nothing is hard-deleted, a
    record is retired by setting ``deleted_at``.
    """

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
