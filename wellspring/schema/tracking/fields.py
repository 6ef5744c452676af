"""Customer tracking's root fields (issue 17): share and revoke links (dispatchers), follow a
visit by link or login, rate it, ask to move or cancel it."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain.errors import DomainError
from wellspring.domain.models import Ticket
from wellspring.domain.tracking import actions, links, reads
from wellspring.domain.tracking.view import VisitView, visit_view

from ..core import enums
from ..core.context import RequestContext, gql_error, require_actor
from ..core.errors import TrackingError, errors_field
from ..core.ids import parse_global_id
from ..core.mutation import Failed, run_in_savepoint
from ..core.scalars import DateTime
from .types import TrackedVisit

_TOKEN_DOC = "The link's token (its last path segment), for a customer without a login."  # noqa: S105
_TICKET_DOC = "The visit's ticket, for the customer signed in (give token or ticketId)."


async def _admit(ctx: RequestContext, token: str) -> None:
    await links.admit(ctx.session, token=token, address=ctx.client_ip, now=ctx.now)


async def track_visit(info: ResolveInfo, token: str) -> VisitView | None:
    """``trackVisit``: no login; null for a token that opens nothing now."""
    ctx: RequestContext = info.context
    try:
        await _admit(ctx, token)
    except DomainError as error:
        raise gql_error(error.code, ctx.locale, **error.params) from None
    return await reads.view_for_token(ctx.session, token, now=ctx.now)


async def visit_tracking(info: ResolveInfo, ticket_id: str) -> VisitView | None:
    """``visitTracking``: the signed-in customer's own visit; null when not theirs."""
    ctx: RequestContext = info.context
    actor = require_actor(info)
    try:
        raw = parse_global_id(ticket_id, "Ticket", field="ticketId")
        return await reads.view_for_customer(ctx.session, actor, ticket_id=raw, now=ctx.now)
    except DomainError as error:
        if error.code in ("NOT_FOUND", "INVALID_ID"):
            return None
        raise


def _one_door(input: Any) -> tuple[str | None, str | None]:
    """``token`` or ``ticketId``, exactly one (INVALID_ARGUMENT otherwise)."""
    token, ticket_id = input.get("token"), input.get("ticket_id")
    if (token is None) == (ticket_id is None):
        raise DomainError("INVALID_ARGUMENT", field="token" if token is None else "ticket_id")
    return token, ticket_id


async def _view(ctx: RequestContext, ticket: Ticket, token: str | None) -> VisitView | None:
    if token is not None:
        return await reads.view_for_token(ctx.session, token, now=ctx.now)
    return await visit_view(ctx.session, ticket, now=ctx.now, expires_at=None)


class ShareTrackingLinkInput(graphene.InputObjectType):
    ticket_id = graphene.ID(required=True)


class ShareTrackingLinkPayload(graphene.ObjectType):
    url = graphene.String(description="Absolute with WELLSPRING_PUBLIC_URL, else /t/<token>.")
    expires_at = graphene.Field(
        DateTime, description="The latest it works; it ends sooner, a day after the visit."
    )
    errors = errors_field(TrackingError)


class ShareTrackingLink(graphene.Mutation):
    """A new tracking link for a ticket, to read out or send to the customer (shown once)."""

    class Arguments:
        input = ShareTrackingLinkInput(required=True)

    Output = ShareTrackingLinkPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> ShareTrackingLinkPayload:
        ctx: RequestContext = info.context
        actor = require_actor(info)

        async def run() -> links.IssuedLink:
            raw = parse_global_id(input.ticket_id, "Ticket", field="ticket_id")
            return await links.share_link(ctx.session, actor, ticket_id=raw)

        result = await run_in_savepoint(ctx, run)
        if isinstance(result, Failed):
            return ShareTrackingLinkPayload(errors=result)
        return ShareTrackingLinkPayload(url=result.url, expires_at=result.expires_at, errors=[])


class RevokeTrackingLinksInput(graphene.InputObjectType):
    ticket_id = graphene.ID(required=True)


class RevokeTrackingLinksPayload(graphene.ObjectType):
    revoked_count = graphene.Int(description="How many working links stopped.")
    errors = errors_field(TrackingError)


class RevokeTrackingLinks(graphene.Mutation):
    """Every link of a ticket stops working now (share a new one if the customer needs it)."""

    class Arguments:
        input = RevokeTrackingLinksInput(required=True)

    Output = RevokeTrackingLinksPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> RevokeTrackingLinksPayload:
        ctx: RequestContext = info.context
        actor = require_actor(info)

        async def run() -> int:
            raw = parse_global_id(input.ticket_id, "Ticket", field="ticket_id")
            return await links.revoke_links(ctx.session, actor, ticket_id=raw)

        result = await run_in_savepoint(ctx, run)
        if isinstance(result, Failed):
            return RevokeTrackingLinksPayload(errors=result)
        return RevokeTrackingLinksPayload(revoked_count=result, errors=[])


class RateVisitInput(graphene.InputObjectType):
    token = graphene.String(description=_TOKEN_DOC)
    ticket_id = graphene.ID(description=_TICKET_DOC)
    score = graphene.Int(required=True, description="1 (poor) to 5 (excellent).")
    comment = graphene.String()
    dissatisfaction = graphene.Field(
        enums.Dissatisfaction, description="Why, for a low score (OTHER when not given)."
    )


class RateVisitPayload(graphene.ObjectType):
    visit = graphene.Field(TrackedVisit)
    complaint_opened = graphene.Boolean(description="A low score opened a complaint.")
    errors = errors_field(TrackingError)


class RateVisit(graphene.Mutation):
    """The customer's score and comment: the visit's follow-up score (a low one opens a
    complaint, as the hotline's call does). With `token`, no sign-in: the link is the
    permission."""

    class Arguments:
        input = RateVisitInput(required=True)

    Output = RateVisitPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> RateVisitPayload:
        ctx: RequestContext = info.context

        async def run() -> tuple[actions.Rated, str | None]:
            token, ticket_id = _one_door(input)
            values = {
                "score": input.score,
                "comment": input.get("comment"),
                "dissatisfaction": input.get("dissatisfaction"),
            }
            if token is not None:
                await _admit(ctx, token)
                return await actions.rate_by_token(ctx.session, token=token, **values), token
            raw = parse_global_id(str(ticket_id), "Ticket", field="ticket_id")
            actor = require_actor(info)
            rated = await actions.rate_as_customer(ctx.session, actor, ticket_id=raw, **values)
            return rated, None

        result = await run_in_savepoint(ctx, run)
        if isinstance(result, Failed):
            return RateVisitPayload(errors=result)
        rated, token = result
        return RateVisitPayload(
            visit=await _view(ctx, rated.ticket, token),
            complaint_opened=rated.complaint is not None,
            errors=[],
        )


class RequestVisitChangeInput(graphene.InputObjectType):
    token = graphene.String(description=_TOKEN_DOC)
    ticket_id = graphene.ID(description=_TICKET_DOC)
    kind = graphene.Field(enums.VisitChangeKind, required=True)
    note = graphene.String(description="A preferred time, a reason ...")


class RequestVisitChangePayload(graphene.ObjectType):
    visit = graphene.Field(TrackedVisit)
    errors = errors_field(TrackingError)


class RequestVisitChange(graphene.Mutation):
    """The customer asks to reschedule or cancel: an inquiry for the hotline, linked to the
    visit; the job does not move until a dispatcher acts. With `token`, no sign-in."""

    class Arguments:
        input = RequestVisitChangeInput(required=True)

    Output = RequestVisitChangePayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> RequestVisitChangePayload:
        ctx: RequestContext = info.context

        async def run() -> tuple[Ticket, str | None]:
            token, ticket_id = _one_door(input)
            kind, note = actions.ChangeKind(input.kind), input.get("note")
            if token is not None:
                await _admit(ctx, token)
                ticket = await actions.request_change_by_token(
                    ctx.session, token=token, kind=kind, note=note
                )
                return ticket, token
            raw = parse_global_id(str(ticket_id), "Ticket", field="ticket_id")
            actor = require_actor(info)
            ticket = await actions.request_change_as_customer(
                ctx.session, actor, ticket_id=raw, kind=kind, note=note
            )
            return ticket, None

        result = await run_in_savepoint(ctx, run)
        if isinstance(result, Failed):
            return RequestVisitChangePayload(errors=result)
        ticket, token = result
        return RequestVisitChangePayload(visit=await _view(ctx, ticket, token), errors=[])


class TrackingQueries(graphene.ObjectType):
    """Mixed into ``Query``: the tracking page's reads."""

    track_visit = graphene.Field(
        TrackedVisit,
        token=graphene.String(required=True),
        description="What the tracking page shows, without a login; null when the link does "
        "not work (unknown, expired or revoked look alike). Rate-limited per token and address.",
    )
    visit_tracking = graphene.Field(
        TrackedVisit,
        ticket_id=graphene.ID(required=True),
        description="Customers: the tracking view of one of their own visits.",
    )

    @staticmethod
    async def resolve_track_visit(_root: Any, info: ResolveInfo, token: str) -> Any:
        return await track_visit(info, token)

    @staticmethod
    async def resolve_visit_tracking(_root: Any, info: ResolveInfo, ticket_id: str) -> Any:
        return await visit_tracking(info, ticket_id)
