"""The engineers near a job: the ring search of SuggestTechnicians.

Engineers whose phone position, last site or home lies in H3 cells around the job are read
ring step by ring step until enough skilled ones are found: the cost follows the number of
engineers nearby, not the number of engineers. Each is read as a row with their open jobs
that day counted in the same statement.
"""

from __future__ import annotations

import functools
import typing
from collections import OrderedDict
from typing import Any, Protocol

from sqlalchemy import (
    ARRAY,
    Select,
    String,
    Text,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from ...geo import cells
from ..memo import memo_of
from ..models import Job, Technician, User
from ..models.enums import OPEN_JOB_VALUES
from .locate import Whereabouts
from .shifts import Rota

# Rings of H3 cells searched, widening until enough skilled engineers are found (resolution 7:
# about 2 km per ring, so the last ring reaches about 65 km, past a city's edge). Small steps
# first: where engineers are dense, one ring of 7 cells already holds enough. The steps are
# fine so that the search stops close to where enough are found; a lookup reads several
# steps at once where engineers are sparse (``_reach``).
RING_STEPS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)


class Nearby(Whereabouts, Rota, Protocol):
    """An engineer as a ring lookup reads it: a row, not an ORM object (about 50 a request)."""

    @property
    def id(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def display_name(self) -> str | None: ...
    @property
    def skills(self) -> list[str]: ...
    @property
    def load(self) -> int: ...
    @property
    def position_cell(self) -> str | None: ...
    @property
    def site_cell(self) -> str | None: ...
    @property
    def home_cell(self) -> str | None: ...


# The ring lookup is written with the tables' columns, not the mapped attributes: a
# statement of plain columns skips the ORM's result handling (about a fifth of its CPU).
_TECHNICIANS, _JOBS = Technician.__table__.c, Job.__table__.c

# An engineer's open jobs on the job's day (or without an appointment), read with each ring's
# rows rather than in a statement of its own, from ix_jobs_open_by_technician alone: the
# statuses are written as that partial index states them (a bound list would not prove it
# applies). The job asked about is among its own engineer's (it is open, and on that day or
# without one): ``suggest._others`` takes it away, so that no condition on jobs.id sends the
# count to the table.
_LOAD = (
    select(func.count())
    .where(
        _JOBS.technician_id == _TECHNICIANS.id,
        _JOBS.status.in_([literal_column(f"'{value}'") for value in OPEN_JOB_VALUES]),
        or_(
            _JOBS.appointment_start.is_(None),
            (_JOBS.appointment_start >= bindparam("start", type_=_JOBS.appointment_start.type))
            & (_JOBS.appointment_start < bindparam("end", type_=_JOBS.appointment_start.type)),
        ),
    )
    .scalar_subquery()
    .label("load")
)


# The engineer's name, read with each ring's rows: a suggestion shows it, and a statement of
# its own for the ten returned cost more than reading it for the fifty found.
_NAME = (
    select(User.__table__.c.display_name)
    .where(User.__table__.c.id == _TECHNICIANS.user_id)
    .scalar_subquery()
    .label("display_name")
)

# The columns a ring lookup reads: enough to place and weigh an engineer, to tell which ring
# step found them (their skills were matched in SQL), and to show the few returned
# (``SHOWN``: a suggestion's engineer is answered from them).
_NEARBY_COLUMNS = (
    _TECHNICIANS.id,
    _TECHNICIANS.user_id,
    _TECHNICIANS.skills,
    _TECHNICIANS.work_days,
    _TECHNICIANS.shift_start,
    _TECHNICIANS.shift_end,
    _TECHNICIANS.position_latitude,
    _TECHNICIANS.position_longitude,
    _TECHNICIANS.position_at,
    _TECHNICIANS.site_latitude,
    _TECHNICIANS.site_longitude,
    _TECHNICIANS.site_at,
    _TECHNICIANS.home_latitude,
    _TECHNICIANS.home_longitude,
    _TECHNICIANS.position_cell,
    _TECHNICIANS.site_cell,
    _TECHNICIANS.home_cell,
    _NAME,
    _LOAD,
)
# The engineer's columns a ring lookup's row holds.
SHOWN = tuple(c.key for c in _NEARBY_COLUMNS if c.key not in ("display_name", "load"))


@functools.lru_cache(maxsize=4096)
def _new_cells(centre: str, k: int) -> tuple[str, ...]:
    """The cells within k steps of centre not searched by the previous, smaller step."""
    step = RING_STEPS.index(k)
    inner = set(cells.disk(centre, RING_STEPS[step - 1])) if step else set()
    return tuple(c for c in cells.disk(centre, k) if c not in inner)


# Cells within each ring step of a centre (a disk of k steps holds 1 + 3k(k + 1) cells).
_CELLS_WITHIN = tuple(1 + 3 * k * (k + 1) for k in RING_STEPS)


def _reach(done: int, found: int, want: int) -> int:
    """The last ring step the next lookup reads, once ``done`` (at least one) steps held
    ``found``.

    The first lookup reads what ``first_reach`` says (the first step alone when nothing is
    known: where engineers are dense it is enough). After it, a lookup reads as far as the
    engineers found so far per cell say will hold ``want`` (two steps when none was found),
    so where they are sparse one statement does what one per step did (issue 19 §3: the
    slowest requests at 1,000 engineers were those of four or five)."""
    last = len(RING_STEPS) - 1
    if found == 0:
        return min(done + 1, last)
    cells_needed = want * _CELLS_WITHIN[done - 1] / found
    return next((i for i in range(done, last) if _CELLS_WITHIN[i] >= cells_needed), last)


def _steps_of(centre: str, first: int, last: int) -> dict[str, int]:
    """Each cell of ring steps ``first`` to ``last`` (indexes of RING_STEPS) with its step.
    Not cached: the widest hold thousands of cells, and the steps' cells are (``_new_cells``).
    """
    return {c: i for i in range(first, last + 1) for c in _new_cells(centre, RING_STEPS[i])}


def _step(tech: Nearby, step_of: dict[str, int]) -> int:
    """The ring step an engineer was found in: the nearest of their three cells' (one at
    least is in ``step_of``, or the lookup would not have read them)."""
    return min(
        step_of[c] for c in (tech.position_cell, tech.site_cell, tech.home_cell) if c in step_of
    )


# How far the last searches of a branch and skill reached before enough engineers were
# found (the ring step of each of the last three), in the app's memo (``memo.py``). A
# search's first lookup reads as far as the middle one: within a branch, engineers are about
# as dense from one job to the next, so where they are sparse one lookup does what two or
# three did (issue 19 §3). It decides only how many steps a lookup reads, never who is found
# (rows past the stopping step are left out): another process, or none remembered, only reads
# differently.
Reached = OrderedDict[tuple[str, str], tuple[int, ...]]
REACHED_MEMO = "dispatch.nearby.reached"  # its key in the memo
REACHED_KEYS = 4096


def reached_of(session: AsyncSession) -> Reached:
    """The app's memory of the searches' reach (a fresh, forgotten one without a memo)."""
    memo = memo_of(session)
    if memo is None:
        return OrderedDict()
    reached: Reached = memo.setdefault(REACHED_MEMO, OrderedDict())
    return reached


def first_reach(reached: Reached, key: tuple[str, str]) -> int:
    """The last ring step the first lookup of a search for ``key`` (branch, skill) reads."""
    steps = reached.get(key)
    return sorted(steps)[len(steps) // 2] if steps else 0


def remember(reached: Reached, key: tuple[str, str], step: int) -> None:
    """That a search for ``key`` found enough at ``step``; the oldest keys are forgotten."""
    reached[key] = (*reached.pop(key, ())[-2:], step)
    while len(reached) > REACHED_KEYS:
        reached.popitem(last=False)


async def search(
    session: AsyncSession, centre: str, want: int, params: dict[str, Any]
) -> dict[str, Nearby]:
    """Skilled engineers around the cell ``centre``, by id, nearest ring steps first: at
    least ``want`` unless the last ring holds fewer. ``params`` are ``in_cells``' but the ring.
    """
    found: dict[str, Nearby] = {}
    done = 0  # ring steps searched
    key, reached = (str(params["branch"]), str(params["skill"])), reached_of(session)
    while done < len(RING_STEPS) and len(found) < want:
        first = done
        last = first_reach(reached, key) if done == 0 else _reach(done, len(found), want)
        step_of = _steps_of(centre, first, last)
        by_step: dict[int, list[Nearby]] = {}
        for tech in await _in_cells(session, list(step_of), params):
            by_step.setdefault(_step(tech, step_of), []).append(tech)
        # Taken step by step, stopping where a search of one step at a time would: the rows
        # of steps past that are left unread, so the answer is the same either way.
        for step in range(first, last + 1):
            for tech in by_step.get(step, ()):
                found.setdefault(tech.id, tech)
            done = step + 1
            if len(found) >= want:
                break
    remember(reached, key, done - 1)
    return found


def skill_pattern(skill: str) -> str:
    """A LIKE pattern matching a JSON array of names that holds ``skill`` (``/`` escapes)."""
    escaped = skill.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f'%"{escaped}"%'


def in_cells(dialect: str) -> Select[*tuple[Any, ...]]:
    """Active engineers of the branch (``:branch``) with the skill (``:skill``, a pattern of
    ``skill_pattern``) whose phone, last site or home lies in the cells ``:ring``, with
    their open jobs from ``:start`` to ``:end`` or without an appointment. Built once per
    dialect: building and keying it cost more than running it (issue 19 §3)."""
    if dialect == "postgresql":
        # One array for the ring: an IN list costs SQLAlchemy a rendered, cast bind per cell
        # and column at every execution (about 390 a request), more than the lookup itself.
        ring: Any = any_(bindparam("ring", type_=ARRAY(String)))
        within = or_(
            _TECHNICIANS.position_cell == ring,
            _TECHNICIANS.site_cell == ring,
            _TECHNICIANS.home_cell == ring,
        )
    else:
        within = or_(
            _TECHNICIANS.position_cell.in_(bindparam("ring", expanding=True)),
            _TECHNICIANS.site_cell.in_(bindparam("ring", expanding=True)),
            _TECHNICIANS.home_cell.in_(bindparam("ring", expanding=True)),
        )
    return select(*_NEARBY_COLUMNS).where(
        # Written so that no engine drives the plan from the branch index (SQLite otherwise
        # reads every engineer of the branch); the cell indexes narrow it instead.
        _TECHNICIANS.branch_id.concat("") == bindparam("branch", type_=String),
        _TECHNICIANS.is_active.is_(True),
        _TECHNICIANS.deleted_at.is_(None),
        # Skills are a JSON array of names: matched as text on both engines. The unskilled
        # were read and dropped before: a fifth of the rows, each with its load counted.
        cast(_TECHNICIANS.skills, Text).like(bindparam("skill", type_=String), escape="/"),
        within,
    )


_IN_CELLS = {name: in_cells(name) for name in ("postgresql", "sqlite")}


async def _in_cells(session: AsyncSession, ring: list[str], params: dict[str, Any]) -> list[Nearby]:
    if not ring:
        return []
    statement = _IN_CELLS[session.get_bind().dialect.name]
    rows = await session.execute(statement, {"ring": ring, **params})
    return typing.cast(list[Nearby], rows.all())
