"""A refused sync request: an HTTP status and a code with its localized message."""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    def __init__(self, status: int, code: str, **params: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.params = params
