"""``boardEvents``, ``myJobEvents``, ``visitEvents``: the subscriptions' fields and event type.

Each ``subscribe_*`` resolver opens its watch through a domain use case (the permission
check, the object's visibility) and returns the stream the transport gave the context
(``RequestContext.live``: the WebSocket handler in ``wellspring/api/subscriptions.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain.notifications import live
from wellspring.i18n import detail

from ..core.context import gql_error, require_actor
from ..core.ids import global_id, parse_global_id
from ..core.scalars import DateTime

KINDS = (
    "JOB_CREATED, JOB_STATUS_CHANGED, JOB_ASSIGNED, JOB_RESCHEDULED, JOB_REASSIGNED_AWAY, "
    "JOB_CANCELLED, ENGINEER_EN_ROUTE, ENGINEER_ARRIVED, JOB_COMPLETED, ENGINEER_POSITION, "
    "STOCK_DISCREPANCY_OPENED, TICKET_STATUS_CHANGED"
)


def _id(type_name: str, key: str) -> Callable[..., str | None]:
    def resolve(root: dict[str, Any], _info: ResolveInfo) -> str | None:
        value = root.get(key)
        return global_id(type_name, value) if isinstance(value, str) else None

    return resolve


def _time(key: str) -> Callable[..., dt.datetime | None]:
    def resolve(root: dict[str, Any], _info: ResolveInfo) -> dt.datetime | None:
        value = root.get(key)
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else None

    return resolve


class LiveEvent(graphene.ObjectType):
    """Something that changed, as a watcher may see it. Fields that do not apply are null."""

    id = graphene.ID(
        required=True, description="The event's id: a fact delivered twice carries the same id."
    )
    cursor = graphene.String(
        description="Pass it as `after` when reconnecting to hear what came since. Null on "
        "ENGINEER_POSITION, which is live only (never replayed)."
    )
    kind = graphene.String(required=True, description=f"What happened: one of {KINDS}.")
    at = DateTime(required=True, resolver=_time("at"), description="When it happened.")
    branch_id = graphene.ID(resolver=_id("Branch", "branch_id"))
    ticket_id = graphene.ID(resolver=_id("Ticket", "ticket_id"))
    job_id = graphene.ID(resolver=_id("Job", "job_id"))
    technician_id = graphene.ID(resolver=_id("Technician", "technician_id"))
    discrepancy_id = graphene.ID(resolver=_id("StockDiscrepancy", "discrepancy_id"))
    number = graphene.String(description="The job's (or ticket's) number.")
    status = graphene.String(
        description="The job's status after the change (a ticket's for TICKET_STATUS_CHANGED)."
    )
    appointment_start = DateTime(resolver=_time("appointment_start"))
    appointment_end = DateTime(resolver=_time("appointment_end"))
    eta = DateTime(resolver=_time("eta"), description="The engineer's expected arrival.")
    latitude = graphene.Float(description="ENGINEER_POSITION: WGS-84 (to a customer, ~100 m).")
    longitude = graphene.Float()
    accuracy = graphene.Float(description="Metres (staff only).")


AFTER = "A cursor from an event received before: first the events committed since, then live."


def _live(info: ResolveInfo) -> Callable[[live.Watch, str | None], AsyncIterator[Any]]:
    """The transport's stream maker (only the WebSocket handler gives one)."""
    ctx = info.context
    if ctx.live is None:
        raise gql_error("BAD_REQUEST", ctx.locale, detail=detail("NEEDS_WEBSOCKET", ctx.locale))
    maker: Callable[[live.Watch, str | None], AsyncIterator[Any]] = ctx.live
    return maker


class Subscription(graphene.ObjectType):
    board_events = graphene.Field(
        graphene.NonNull(LiveEvent),
        branch_id=graphene.ID(required=True),
        after=graphene.String(description=AFTER),
        description="A branch's jobs, engineers (position, status) and new stock "
        "discrepancies as they change.",
    )
    my_job_events = graphene.Field(
        graphene.NonNull(LiveEvent),
        after=graphene.String(description=AFTER),
        description="The engineer's own jobs as they change.",
    )
    visit_events = graphene.Field(
        graphene.NonNull(LiveEvent),
        ticket_id=graphene.ID(required=True),
        after=graphene.String(description=AFTER),
        description="One visit's status, appointment window and ETA, and the engineer's rough "
        "position while on the way, for the ticket's customer.",
    )

    @staticmethod
    async def subscribe_board_events(
        _root: Any, info: ResolveInfo, branch_id: str, after: str | None = None
    ) -> Any:
        actor, stream = require_actor(info), _live(info)
        branch = parse_global_id(branch_id, "Branch", field="branchId")
        return stream(await live.open_board(info.context.session, actor, branch_id=branch), after)

    @staticmethod
    async def subscribe_my_job_events(
        _root: Any, info: ResolveInfo, after: str | None = None
    ) -> Any:
        actor, stream = require_actor(info), _live(info)
        return stream(await live.open_my_jobs(info.context.session, actor), after)

    @staticmethod
    async def subscribe_visit_events(
        _root: Any, info: ResolveInfo, ticket_id: str, after: str | None = None
    ) -> Any:
        actor, stream = require_actor(info), _live(info)
        ticket = parse_global_id(ticket_id, "Ticket", field="ticketId")
        return stream(await live.open_visit(info.context.session, actor, ticket_id=ticket), after)

    @staticmethod
    def resolve_board_events(root: Any, _info: ResolveInfo, **_args: Any) -> Any:
        return root

    @staticmethod
    def resolve_my_job_events(root: Any, _info: ResolveInfo, **_args: Any) -> Any:
        return root

    @staticmethod
    def resolve_visit_events(root: Any, _info: ResolveInfo, **_args: Any) -> Any:
        return root
