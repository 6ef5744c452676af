"""The ring search of SuggestTechnicians (``domain/dispatch/nearby.py``).

Where engineers are sparse one lookup reads several ring steps; what it reads past the step
where a search of one step at a time stops is left out, so both give the same engineers.
Only engineers with the job's skill are read.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import OrderedDict
from typing import Any

# h3 4.x ships no type information.
import h3  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy import event, update

from tests.dispatch_site import add_technician, make_branch
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.dispatch.nearby import (
    REACHED_KEYS,
    REACHED_MEMO,
    RING_STEPS,
    Reached,
    first_reach,
    reached_of,
    remember,
    search,
    skill_pattern,
)
from wellspring.domain.memo import MEMO_KEY
from wellspring.domain.models import Technician
from wellspring.domain.models.enums import TicketType
from wellspring.geo import cells

CENTRE = (31.2304, 121.4737)


def _annulus(centre: str, inner: int, outer: int) -> list[str]:
    """The cells more than ``inner`` and at most ``outer`` steps from ``centre``."""
    return sorted(set(cells.disk(centre, outer)) - set(cells.disk(centre, inner)))


def _point(cell: str) -> tuple[float, float]:
    lat, lon = h3.cell_to_latlng(cell)
    return float(lat), float(lon)


def _search(
    url: str, branch_id: str, centre: str, want: int, memo: dict[str, Any] | None = None
) -> tuple[set[str], list[str]]:
    """The engineers found, and the parameters of each ring lookup as text. With ``memo``,
    the session remembers as one app's sessions do (else as a new app's)."""
    lookups: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, params: Any, *_a: Any) -> None:
        if "home_cell" in statement:
            lookups.append(str(params))

    async def run() -> set[str]:
        engine = create_engine(url)
        event.listen(engine.sync_engine, "before_cursor_execute", record)
        try:
            async with session_factory(engine)() as session:
                if memo is not None:
                    session.info[MEMO_KEY] = memo
                start = dt.datetime(2026, 12, 4, 16, tzinfo=dt.UTC)
                params = {
                    "branch": branch_id,
                    "skill": skill_pattern(TicketType.FILTER_CHANGE.value),
                    "start": start,
                    "end": start + dt.timedelta(days=1),
                }
                return set(await search(session, centre, want, params))
        finally:
            await engine.dispose()

    return asyncio.run(run()), lookups


def test_a_sparse_search_reads_steps_together_and_stops_where_one_step_would(
    database_url: str,
) -> None:
    site = make_branch(database_url, lat=CENTRE[0], lon=CENTRE[1])
    centre = cells.cell(*CENTRE)
    skilled = [TicketType.FILTER_CHANGE, TicketType.REPAIR]
    ids = {"near": add_technician(site, "near", home=_point(centre), skills=skilled)}
    # Nearer than anyone, but without the skill: never read.
    add_technician(site, "unskilled", home=_point(centre), skills=[TicketType.REPAIR])
    second = _annulus(centre, 1, 2)
    for i in range(8):
        name = f"second{i}"
        ids[name] = add_technician(site, name, home=_point(second[i]), skills=skilled)
    third = _annulus(centre, 2, 3)[0]
    add_technician(site, "third", home=_point(third), skills=skilled)

    found, lookups = _search(database_url, site.branch_id, centre, want=9)

    # One engineer in the first step's 7 cells says nine need about 63: the second lookup
    # reads steps 2 to 6 at once. It reads the third step's engineer too, but nine are found
    # once step 2 is taken, where a search of one step at a time stops: the third is left out.
    assert found == set(ids.values())
    assert len(lookups) == 2, lookups
    assert third in lookups[1], "the second lookup should have read past step 2"


def _sparse_site(database_url: str) -> tuple[Any, str, set[str], str]:
    """A branch with one skilled engineer in the first ring step, eight in the second and
    one in the third: the site, the centre, the nine nearest and the third step's cell."""
    site = make_branch(database_url, lat=CENTRE[0], lon=CENTRE[1])
    centre = cells.cell(*CENTRE)
    skilled = [TicketType.FILTER_CHANGE]
    ids = {add_technician(site, "near", home=_point(centre), skills=skilled)}
    second = _annulus(centre, 1, 2)
    ids |= {
        add_technician(site, f"second{i}", home=_point(second[i]), skills=skilled) for i in range(8)
    }
    third = _annulus(centre, 2, 3)[0]
    add_technician(site, "third", home=_point(third), skills=skilled)
    return site, centre, ids, third


def test_the_next_search_of_a_branch_reads_as_far_as_the_last_ones_reached(
    database_url: str,
) -> None:
    site, centre, nearest, _ = _sparse_site(database_url)
    memo: dict[str, Any] = {}
    found, lookups = _search(database_url, site.branch_id, centre, want=9, memo=memo)
    assert found == nearest
    assert len(lookups) == 2, lookups
    # Nine were found at the second step: the next search reads both steps at once.
    key = (site.branch_id, skill_pattern(TicketType.FILTER_CHANGE.value))
    assert first_reach(next(iter(memo.values())), key) == 1
    found, lookups = _search(database_url, site.branch_id, centre, want=9, memo=memo)
    assert found == nearest
    assert len(lookups) == 1, lookups
    # Another app (another memo) remembers nothing of it.
    _, lookups = _search(database_url, site.branch_id, centre, want=9, memo={})
    assert len(lookups) == 2, lookups


def test_however_far_the_first_lookup_reads_the_same_engineers_are_found(
    database_url: str,
) -> None:
    """The memory decides how many steps a lookup reads, never who is found: a first lookup
    reading to any step finds the nine nearest, not the third step's engineer it also read."""
    site, centre, nearest, third = _sparse_site(database_url)
    key = (site.branch_id, skill_pattern(TicketType.FILTER_CHANGE.value))
    for step in range(len(RING_STEPS)):
        reached: Reached = OrderedDict({key: (step,)})
        memo = {REACHED_MEMO: reached}
        found, lookups = _search(database_url, site.branch_id, centre, want=9, memo=memo)
        assert found == nearest, step
        assert len(lookups) == (2 if step == 0 else 1), (step, lookups)
        assert (third in lookups[0]) == (step >= 2), step


def test_the_memory_takes_the_middle_of_the_last_three_and_is_bounded() -> None:
    reached: Reached = OrderedDict()
    key = ("branch", "%skill%")
    assert first_reach(reached, key) == 0
    for step in (9, 0, 1):  # one far search among near ones does not send the next far
        remember(reached, key, step)
    assert first_reach(reached, key) == 1
    remember(reached, key, 0)
    assert reached[key] == (0, 1, 0)
    assert first_reach(reached, key) == 0
    for i in range(REACHED_KEYS + 10):
        remember(reached, (f"b{i}", "%s%"), 3)
    assert len(reached) == REACHED_KEYS
    assert key not in reached  # the oldest are forgotten first


def test_a_session_without_a_memo_remembers_nothing(database_url: str) -> None:
    async def run() -> None:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                mine = reached_of(session)
                assert mine is reached_of(session)  # the app's one memory
                del session.info[MEMO_KEY]
                assert reached_of(session) is not reached_of(session)  # a new one each time
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_a_dense_search_reads_the_first_step_alone(database_url: str) -> None:
    site = make_branch(database_url, lat=CENTRE[0], lon=CENTRE[1])
    centre = cells.cell(*CENTRE)
    skilled = [TicketType.FILTER_CHANGE]
    ids = {
        add_technician(site, f"dense{i}", home=_point(cell), skills=skilled)
        for i, cell in enumerate(cells.disk(centre, 1))
    }
    add_technician(site, "next", home=_point(_annulus(centre, 1, 2)[0]), skills=skilled)

    found, lookups = _search(database_url, site.branch_id, centre, want=7)

    assert found == ids
    assert len(lookups) == 1, lookups


def test_a_skill_is_matched_whole_not_as_a_pattern(database_url: str) -> None:
    """FILTER_CHANGE's underscore is a LIKE wildcard unless escaped: a skill that differs
    there only must not match."""
    site = make_branch(database_url, lat=CENTRE[0], lon=CENTRE[1])
    centre = cells.cell(*CENTRE)
    tech = add_technician(site, "lookalike", home=_point(centre), skills=[TicketType.REPAIR])

    async def set_skills(skills: list[str]) -> None:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                await session.execute(
                    update(Technician).where(Technician.id == tech).values(skills=skills)
                )
                await session.commit()
        finally:
            await engine.dispose()

    asyncio.run(set_skills(["FILTERXCHANGE", "FILTER_CHANGES"]))
    try:
        found, _ = _search(database_url, site.branch_id, centre, want=1)
    finally:
        # No door stores such a skill: left in the shared database, it would break every
        # later list of engineers (TicketType cannot show it).
        asyncio.run(set_skills([TicketType.REPAIR.value]))
    assert found == set()
