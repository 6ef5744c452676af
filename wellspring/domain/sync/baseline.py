"""Which server version a phone's pushed appointment edit is judged against.

WatermelonDB keeps a local change over a pulled one and never says which version an edit was
made on, and a phone may pull many times before a push gets through (a connection lost before
the push, a push answer lost on the way). So the version the server last *sent* says nothing
about what the engineer saw. What bounds it is the last moment the phone had nothing waiting
to be pushed: any edit it holds was made after that, on what it had then or later.

The phone says so at each pull (``unsyncedChanges``). The baseline is the cursor of the last
pull that started with nothing waiting: a dispatcher's change after it makes the edit a
conflict. A legitimate edit made on a later pull's data is then a false conflict, which the
engineer redoes; a dispatcher's change is never overwritten by an edit made before it could be
seen. A phone that does not say is taken to always have something waiting.
"""

from __future__ import annotations


def after_pull(
    baseline: int,
    *,
    pulled_from: int | None,
    returned: int,
    unsynced: bool | None,
    conflict_cursor: int = 0,
) -> int:
    """The installation's baseline once it asked for a pull (whatever became of the answer).

    ``pulled_from`` is the pull's ``lastPulledAt`` (None: a first pull), ``returned`` the
    cursor the answer carries, ``unsynced`` what the phone said (None: it did not say), and
    ``conflict_cursor`` the cursor of its last push the server settled with a conflict.
    """
    if pulled_from is None:
        # A phone that holds nothing can edit nothing before an answer reaches it, and a
        # first pull is repeated until one does: its edits are made on what it returned.
        return returned
    if unsynced is False and pulled_from > conflict_cursor:
        # Nothing waiting, and the server's values for the records a conflict marked synced
        # have reached the phone (they were stamped after that push's cursor): every later
        # edit is made on this pull's cursor or something newer.
        return pulled_from
    return baseline


def after_push(conflict_cursor: int, *, push_cursor: int, conflicts: bool) -> int:
    """Remember a push settled with conflicts: the phone holds its own values for those
    records, marked synced, until a pull brings the server's over them."""
    return max(conflict_cursor, push_cursor) if conflicts else conflict_cursor


def edits_seen(baseline: int, push_cursor: int) -> int:
    """The version a push's edits are judged against: never newer than the push's own cursor."""
    return min(baseline, push_cursor)


__all__ = ["after_pull", "after_push", "edits_seen"]
