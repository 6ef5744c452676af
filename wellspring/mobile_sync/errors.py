"""A refused sync request: an HTTP status and a code with its localized message."""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    def __init__(self, status: int, code: str, **params: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        # Names echoed from the request (a table, a column) may hold anything JSON can.
        self.params = {k: _printable(v) if isinstance(v, str) else v for k, v in params.items()}


def _printable(text: str) -> str:
    """At most 64 characters that encode as UTF-8 (a lone surrogate would fail the answer)."""
    return text[:64].encode("utf-8", "replace").decode("utf-8")
