"""The conflict baseline (domain/sync/baseline.py) against a model of a phone and a server.

The model follows WatermelonDB: a pull never overwrites a record with local changes; a push
sends every pending record; an answer can be lost; a conflict marks the record synced with
the phone's own values until a pull brings the server's. The server judges a pushed edit as
push.py does: a conflict when the dispatcher changed the job after ``edits_seen``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from wellspring.domain.sync import baseline

EXAMPLES = int(os.environ.get("WELLSPRING_SYNC_EXAMPLES", "300"))


@dataclass
class World:
    version: int = 1
    dispatched: int = 0  # version of the dispatcher's latest change to the job
    baseline: int = 0
    conflict_cursor: int = 0
    cursor: int | None = None  # the phone's lastPulledAt
    knows: int = -1  # the dispatcher change the phone's copy of the job shows
    pending: bool = False
    edit_knows: int = -1  # what the phone's copy showed when the pending edit was made
    stale: bool = False  # marked synced by a conflict, still holding the phone's own value
    applied: int = 0
    conflicts: int = 0

    def dispatch(self) -> None:
        self.version += 1
        self.dispatched = self.version

    def edit(self) -> None:
        if self.cursor is None:
            return  # nothing held yet
        if not self.pending:
            self.edit_knows = self.knows
        self.pending = True

    def pull(self, *, lost: bool = False, says: bool = True) -> None:
        returned = self.version
        self.baseline = baseline.after_pull(
            self.baseline,
            pulled_from=self.cursor,
            returned=returned,
            unsynced=self.pending if says else None,
            conflict_cursor=self.conflict_cursor,
        )
        if lost:
            return
        self.cursor = returned
        if not self.pending:  # the pull overwrites a synced copy (also a stale one)
            self.knows = self.dispatched
            self.stale = False

    def push(self, *, reached: bool = True, answered: bool = True) -> str | None:
        if not self.pending or self.cursor is None or not reached:
            return None
        seen = baseline.edits_seen(self.baseline, self.cursor)
        conflict = self.dispatched > seen
        if not conflict:
            # The property: an edit stands only if it was made on the dispatcher's latest.
            assert self.edit_knows >= self.dispatched, (self, seen)
            self.applied += 1
        else:
            self.conflicts += 1
        self.version += 1  # the push's write (or the conflict's stamp)
        self.conflict_cursor = baseline.after_push(
            self.conflict_cursor, push_cursor=self.cursor, conflicts=conflict
        )
        if answered:
            self.pending = False
            self.stale = conflict
            if not conflict:
                self.knows = max(self.knows, self.edit_knows)
        return "conflict" if conflict else "applied"


STEP: st.SearchStrategy[tuple[str, dict[str, bool]]] = st.one_of(
    st.just(("dispatch", {})),
    st.just(("edit", {})),
    st.builds(
        lambda lost, says: ("pull", {"lost": lost, "says": says}), st.booleans(), st.booleans()
    ),
    st.builds(
        lambda reached, answered: ("push", {"reached": reached, "answered": answered}),
        st.booleans(),
        st.booleans(),
    ),
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(STEP, max_size=40))
def test_an_edit_made_before_the_dispatchers_change_never_stands(
    steps: list[tuple[str, dict[str, bool]]],
) -> None:
    world = World()
    world.pull()
    for name, args in steps:
        getattr(world, name)(**args)


def sync(world: World, **push: bool) -> str | None:
    world.pull()
    return world.push(**push)


def test_the_two_reproductions_of_the_issue() -> None:
    # A connection lost between the pull past the dispatcher's change and the push.
    world = World()
    world.pull()
    world.edit()
    world.dispatch()
    world.pull()  # the push never leaves
    assert sync(world) == "conflict"
    # A conflict answered and the answer lost: the stale edit is pushed again.
    world = World()
    world.pull()
    world.edit()
    world.dispatch()
    assert sync(world, answered=False) == "conflict"
    assert sync(world) == "conflict"


def test_after_a_conflict_the_engineer_can_redo_the_edit() -> None:
    world = World()
    world.pull()
    world.edit()
    world.dispatch()
    assert sync(world) == "conflict"
    sync(world)  # brings the dispatcher's window
    sync(world)  # a background sync: the phone has the window and nothing waiting
    world.edit()
    assert sync(world) == "applied"


def test_an_ordinary_edit_applies() -> None:
    world = World()
    world.pull()
    world.edit()
    assert sync(world) == "applied"
    world.edit()
    assert sync(world) == "applied"


def test_a_phone_that_does_not_say_is_taken_to_have_edits_waiting() -> None:
    assert baseline.after_pull(5, pulled_from=9, returned=12, unsynced=None) == 5
    assert baseline.after_pull(5, pulled_from=9, returned=12, unsynced=True) == 5
    assert baseline.after_pull(5, pulled_from=9, returned=12, unsynced=False) == 9
    assert baseline.after_pull(5, pulled_from=None, returned=12, unsynced=None) == 12
    assert (
        baseline.after_pull(5, pulled_from=9, returned=12, unsynced=False, conflict_cursor=9) == 5
    )
    assert baseline.edits_seen(9, 7) == 7
