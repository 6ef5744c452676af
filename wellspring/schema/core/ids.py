"""Relay global ids: base64 of ``Type:uuid``."""

from __future__ import annotations

import uuid

from graphql_relay import from_global_id, to_global_id

from wellspring.domain.errors import DomainError


def global_id(type_name: str, id_: str) -> str:
    return str(to_global_id(type_name, id_))


def parse_global_id(value: str, expected_type: str, *, field: str = "id") -> str:
    """The database id inside a global id of the expected type, or ``INVALID_ID``."""
    try:
        type_name, raw = from_global_id(value)
        uuid.UUID(raw)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise DomainError("INVALID_ID", field=field, value=value[:64]) from exc
    if type_name != expected_type:
        raise DomainError("INVALID_ID", field=field, value=value[:64])
    return str(raw)
