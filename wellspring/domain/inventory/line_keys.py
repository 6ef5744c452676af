"""The ledger keys of a consumption batch: the one place their spelling lives.

A batch sent with the client's id ``key`` writes its lines as ``key:000``, ``key:001`` ... and
the old part a line swapped as ``<line key>:old``. Retries match these keys exactly (the
batch is idempotent), and a phone's consumption record is its batch's first line.
"""

from __future__ import annotations

from . import documents

FIRST_LINE = ":000"
OLD_PART = ":old"


def line_key(batch: str, index: int) -> str:
    return f"{batch}:{index:03d}"


def old_part_key(line: str) -> str:
    """The key of the old part returned with the line keyed ``line``."""
    return f"{line}{OLD_PART}"


def batch_keys(batch: str) -> list[str]:
    """Every ledger key a consumption batch can write (its lines and their old parts)."""
    lines = [line_key(batch, i) for i in range(documents.MAX_LINES)]
    return lines + [old_part_key(line) for line in lines]


def first_line_key(batch: str) -> str:
    return f"{batch}{FIRST_LINE}"


def batch_of_first_line(key: str | None) -> str | None:
    """The batch's key when ``key`` is the first line of a batch, else None."""
    if key and key.endswith(FIRST_LINE):
        return key[: -len(FIRST_LINE)]
    return None
