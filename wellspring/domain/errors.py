"""Errors a use case raises. Each carries a stable code; messages live in ``wellspring.i18n``."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """An expected failure: bad input, wrong state, not enough stock.

    Transports show it to the user as ``{field, code, message}`` and change nothing, except
    the rows in ``keep``: a refusal that must leave a trace (a territory conflict logged for
    HQ) sets them, and the transport adds them back after rolling the work back.

    ``id_value`` is the id a lookup could not find (or could not read): the domain knows the
    value, not the name the client gave it (``customerId``, ``lines.0.partId``), so a
    transport names the input that held it (``schema/core/input_paths.py``).
    """

    keep: tuple[object, ...] = ()

    def __init__(
        self, code: str, *, field: str | None = None, id_value: str | None = None, **params: Any
    ) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.id_value = id_value
        self.params = params


class NotAuthenticated(Exception):
    """No valid session (missing, expired or revoked token)."""


class PermissionDenied(Exception):
    """The actor's role may not perform this operation at all."""


class BrokenInvariant(RuntimeError):
    """Something the code guarantees did not hold: a bug, never the user's input."""


def present(value: T | None, what: str) -> T:
    """``value``, which the caller's invariant says exists (unlike ``assert``, kept under -O)."""
    if value is None:
        raise BrokenInvariant(f"{what} is missing")
    return value
