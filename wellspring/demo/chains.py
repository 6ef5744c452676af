"""The status chains the demo's histories follow, taken from the state machine (states.py).

A demo ticket ends in some status; its history is the path of legal edges that leads there.
The paths are checked against ``TICKET_EDGES``/``JOB_EDGES`` when this module is imported, and
every history row is checked again before it is written, so the demo cannot show a move the
services would refuse.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from ..domain.errors import present
from ..domain.models.enums import JobStatus as J
from ..domain.models.enums import TicketStatus as T
from ..domain.workflow import states

Edges = frozenset[tuple[str | None, str]]
S = TypeVar("S", bound=str)


def legal(edges: Edges, chain: Iterable[S]) -> list[S]:
    """``chain`` from its first status on, every step an edge of the state machine."""
    steps = list(chain)
    previous: str | None = None
    for status in steps:
        states.check_edge(edges, previous, status)
        previous = status
    return steps


# The way a ticket goes when nothing is refused, failed or cancelled: one visit, then the
# follow-up call.
TICKET_PATH: tuple[T, ...] = tuple(
    legal(
        states.TICKET_EDGES,
        (
            T.CREATED,
            T.APPROVED,
            T.DISPATCHED,
            T.ASSIGNED,
            T.APPOINTED,
            T.EN_ROUTE,
            T.ON_SITE,
            T.COMPLETED,
            T.FOLLOW_UP_DUE,
            T.CLOSED,
        ),
    )
)
# Where on that path a ticket may be rejected, or cancelled before its engineer sets out (the
# demo cancels no visit under way).
REJECTABLE = tuple(s for s in TICKET_PATH if s in states.REJECT.sources)
CANCELLABLE = tuple(
    s for s in TICKET_PATH[: TICKET_PATH.index(T.EN_ROUTE)] if s in states.CANCEL.sources
)
# The job statuses an engineer's own moves lead to, and the ticket status each puts its
# ticket in (accepting moves the job only).
JOB_FOR_TICKET: dict[T, J] = {T(t): J(j) for j, t in states.TICKET_FOR_JOB.items()}


def ticket_chain(status: T, cancelled_after: T | None = None) -> list[T]:
    """The statuses a ticket that ends in ``status`` went through, in order."""
    if status is T.REJECTED:
        return legal(states.TICKET_EDGES, [*REJECTABLE[:1], T.REJECTED])
    if status is T.CANCELLED:
        after = present(cancelled_after, "the status a cancelled ticket was cancelled after")
        before = TICKET_PATH[: TICKET_PATH.index(after) + 1]
        return legal(states.TICKET_EDGES, [*before, T.CANCELLED])
    return list(TICKET_PATH[: TICKET_PATH.index(status) + 1])


def job_chain(ticket_chain: list[T]) -> list[J]:
    """The statuses of the job behind a ticket with this chain (none before dispatch).

    A job is created pending at dispatch and assigned with its ticket; the engineer accepts
    before setting out, and from then on the job leads and the ticket follows.
    """
    if T.DISPATCHED not in ticket_chain:
        return []
    chain = [J.PENDING]
    if T.ASSIGNED in ticket_chain:
        chain.append(J.ASSIGNED)
    if T.EN_ROUTE in ticket_chain:
        chain.append(J.ACCEPTED)
        chain += [JOB_FOR_TICKET[t] for t in ticket_chain if t in JOB_FOR_TICKET]
    if ticket_chain[-1] is T.CANCELLED:
        chain.append(J.CANCELLED)
    return legal(states.JOB_EDGES, chain)
