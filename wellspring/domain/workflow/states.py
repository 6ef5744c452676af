"""Which transitions exist, from which states, and which roles may make them.

Pure data and checks, no database: the use cases (opening, dispatching, engineer_moves,
follow_ups, desk) consult these before they write anything, so an illegal move changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DomainError, PermissionDenied
from ..models.enums import JobStatus as J
from ..models.enums import Role
from ..models.enums import TicketStatus as T

DISPATCHERS = frozenset({Role.ADMIN, Role.HQ, Role.HOTLINE, Role.CLERK})
ENGINEERS = frozenset({Role.TECHNICIAN})
# Relocations need the branch's approval (domain.md), which the hotline cannot give.
BRANCH_APPROVERS = frozenset({Role.ADMIN, Role.HQ, Role.CLERK})


@dataclass(frozen=True)
class Move:
    """A named transition: the states it leaves from, where it goes, who may make it."""

    name: str
    sources: frozenset[str]
    roles: frozenset[Role]
    needs_reason: bool = False


def _m(name: str, sources: set[str], roles: frozenset[Role], *, reason: bool = False) -> Move:
    return Move(name, frozenset(sources), roles, reason)


# Ticket moves made directly by people. Moves that follow a job (en route, on site, completed,
# follow-up due, back to dispatched after a failure) are made by the job services.
APPROVE = _m("approve", {T.CREATED}, DISPATCHERS)
REJECT = _m("reject", {T.CREATED}, DISPATCHERS, reason=True)
DISPATCH = _m("dispatch", {T.APPROVED}, DISPATCHERS)
# An agent assigns its own customers' jobs to its own engineers (issue 18).
ASSIGN = _m("assign", {T.DISPATCHED, T.ASSIGNED, T.APPOINTED}, DISPATCHERS | {Role.AGENT})
CANCEL = _m(
    "cancel",
    {T.CREATED, T.APPROVED, T.DISPATCHED, T.ASSIGNED, T.APPOINTED, T.EN_ROUTE, T.ON_SITE},
    DISPATCHERS,
    reason=True,
)
FOLLOW_UP = _m("follow_up", {T.FOLLOW_UP_DUE}, DISPATCHERS)
# Complaints, inquiries and praise may be handled at the desk, routed between departments,
# without a field visit.
ROUTE = _m("route", {T.CREATED, T.APPROVED}, DISPATCHERS)
RESOLVE = _m("resolve", {T.APPROVED}, DISPATCHERS, reason=True)

# Job moves made by the engineer the job is assigned to.
ACCEPT = _m("accept", {J.ASSIGNED}, ENGINEERS)
START_TRAVEL = _m("start_travel", {J.ACCEPTED}, ENGINEERS)
ARRIVE = _m("arrive", {J.EN_ROUTE}, ENGINEERS)
COMPLETE = _m("complete", {J.ON_SITE}, ENGINEERS)
FAIL = _m("fail", {J.ASSIGNED, J.ACCEPTED, J.EN_ROUTE, J.ON_SITE}, ENGINEERS, reason=True)

# Where each job status puts its ticket.
TICKET_FOR_JOB = {
    J.EN_ROUTE: T.EN_ROUTE,
    J.ON_SITE: T.ON_SITE,
    J.COMPLETED: T.COMPLETED,
}

# Every edge the ticket history may contain: (from, to). Used by tests and by ``check_edge``.
TICKET_EDGES: frozenset[tuple[str | None, str]] = frozenset(
    {
        (None, T.CREATED),
        (T.CREATED, T.APPROVED),
        (T.CREATED, T.REJECTED),
        (T.APPROVED, T.DISPATCHED),
        (T.DISPATCHED, T.ASSIGNED),
        (T.DISPATCHED, T.APPOINTED),
        (T.ASSIGNED, T.ASSIGNED),  # reassigned to another engineer
        (T.ASSIGNED, T.APPOINTED),
        (T.APPOINTED, T.APPOINTED),  # rescheduled or reassigned
        (T.APPOINTED, T.EN_ROUTE),
        (T.ASSIGNED, T.EN_ROUTE),
        (T.EN_ROUTE, T.ON_SITE),
        (T.ON_SITE, T.COMPLETED),
        (T.COMPLETED, T.FOLLOW_UP_DUE),
        (T.APPROVED, T.COMPLETED),  # resolved at the desk
        (T.COMPLETED, T.CLOSED),  # praise needs no call back
        (T.FOLLOW_UP_DUE, T.CLOSED),
        # a failed visit sends the ticket back to its branch's dispatcher
        (T.ASSIGNED, T.DISPATCHED),
        (T.APPOINTED, T.DISPATCHED),
        (T.EN_ROUTE, T.DISPATCHED),
        (T.ON_SITE, T.DISPATCHED),
    }
    | {(source, T.CANCELLED) for source in CANCEL.sources}
)

JOB_EDGES: frozenset[tuple[str | None, str]] = frozenset(
    {
        (None, J.PENDING),
        (J.PENDING, J.ASSIGNED),
        (J.ASSIGNED, J.ASSIGNED),
        (J.ACCEPTED, J.ASSIGNED),  # reassigned before leaving
        (J.ASSIGNED, J.ACCEPTED),
        (J.ACCEPTED, J.EN_ROUTE),
        (J.EN_ROUTE, J.ON_SITE),
        (J.ON_SITE, J.COMPLETED),
    }
    | {(source, J.FAILED) for source in FAIL.sources}
    | {
        (source, J.CANCELLED)
        for source in (J.PENDING, J.ASSIGNED, J.ACCEPTED, J.EN_ROUTE, J.ON_SITE)
    }
)


def check_role(move: Move, role: Role) -> None:
    """Refuse, before anything is read, a move the role may never make."""
    if role not in move.roles:
        raise PermissionDenied


def check(move: Move, *, role: Role, current: str, reason: str | None = None) -> None:
    """Refuse a move the role may not make (PermissionDenied) or that the state forbids."""
    check_role(move, role)
    if current not in move.sources:
        raise DomainError("INVALID_TRANSITION", action=move.name, status=current)
    if move.needs_reason and not (reason or "").strip():
        raise DomainError("REASON_REQUIRED", field="reason")


def check_edge(edges: frozenset[tuple[str | None, str]], source: str | None, target: str) -> None:
    """A last guard before a history row is written: the edge must be on the map."""
    if (source, target) not in edges:
        raise DomainError("INVALID_TRANSITION", action=f"{source}->{target}", status=source or "")


def system_reason(code: str, value: str = "") -> str:
    """A history reason the system writes itself, stored as ``@CODE`` or ``@CODE:value`` and
    shown in the reader's language (``wellspring.i18n.history_reason``): never English text."""
    return f"@{code}:{value}" if value else f"@{code}"
