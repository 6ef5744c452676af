"""Relay global ids: base64 of ``Type:uuid``."""

from __future__ import annotations

import uuid
from base64 import b64encode
from typing import Any

from graphql_relay import from_global_id, to_global_id

from wellspring.domain.errors import DomainError


def global_id(type_name: str, id_: Any) -> str:
    """graphql-relay's ``to_global_id``, with a string id encoded directly: a page of tickets
    encodes about 200 of them, and the library's way round costs three calls each."""
    if type(id_) is str:
        return b64encode(f"{type_name}:{id_}".encode()).decode()
    return str(to_global_id(type_name, id_))


def split_global_id(value: str, *, field: str = "id") -> tuple[str, str]:
    """``(type name, database id)`` of a well-formed global id, or ``INVALID_ID``.

    Every database id is a UUID, so anything else inside the base64 is malformed too.
    """
    try:
        type_name, raw = from_global_id(value)
        uuid.UUID(raw)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise DomainError("INVALID_ID", field=field, id_value=value, value=value[:64]) from exc
    return str(type_name), str(raw)


def parse_global_id(value: str, expected_type: str, *, field: str = "id") -> str:
    """The database id inside a global id of the expected type, or ``INVALID_ID``."""
    type_name, raw = split_global_id(value, field=field)
    if type_name != expected_type:
        raise DomainError("INVALID_ID", field=field, id_value=value, value=value[:64])
    return raw
