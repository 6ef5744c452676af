"""Where a live subscriber stands in the outbox's commit order, as an opaque cursor."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass

MAX_RUNNING = 64  # transactions a cursor may name as unheard; more: it keeps the lowest


@dataclass(frozen=True)
class Point:
    """Where a subscriber stands: it heard every row at or below ``(seq, row)`` in commit
    order except the rows of the transactions in ``running``, and, of transaction ``upto[0]``,
    the rows up to ``upto[1]`` (notifications/live.py)."""

    seq: int
    row: str
    running: tuple[int, ...] = ()
    upto: tuple[int, str] | None = None


def encode_cursor(point: Point) -> str:
    """A point in the live stream, opaque to clients."""
    upto = f"{point.upto[0]}|{point.upto[1]}" if point.upto else "|"
    running = ".".join(str(x) for x in point.running)
    raw = f"3|{point.seq}|{point.row}|{running}|{upto}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Point | None:
    """The point of a cursor, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, seq, row, running, upto_seq, upto_row = raw.split("|")
        uuid.UUID(row)
        numbers = [int(seq), *(int(x) for x in running.split(".") if running)]
        upto = None
        if upto_seq or upto_row:
            uuid.UUID(upto_row)
            upto = int(upto_seq), upto_row
            numbers.append(upto[0])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if version != "3" or len(numbers) > MAX_RUNNING + 2:
        return None
    if not all(-1 <= n < 2**63 for n in numbers):
        return None
    return Point(numbers[0], row, tuple(int(x) for x in running.split(".") if running), upto)
