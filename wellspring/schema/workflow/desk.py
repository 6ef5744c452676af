"""The desk's mutations on complaints, inquiries and praise: RouteTicket, ResolveTicket."""

from __future__ import annotations

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.workflow import desk

from ..core.ids import parse_global_id
from ..core.mutation import OLD_SHAPE, one_shape
from .mutations import _ctx, _required, _ticket_payload
from .payloads import TicketPayload


class RouteTicketInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="The Ticket.")
    department = graphene.String(required=True, description="Empty hands it back to the desk.")
    note = graphene.String()


class RouteTicketPayload(TicketPayload):
    """The ticket as routed."""


class RouteTicket(graphene.Mutation):
    """Hand a complaint, inquiry or praise to a department; an empty department hands it back."""

    class Arguments:
        input = RouteTicketInput()
        id = graphene.ID(deprecation_reason=OLD_SHAPE)
        department = graphene.String(deprecation_reason=OLD_SHAPE)
        note = graphene.String(deprecation_reason=OLD_SHAPE)

    Output = RouteTicketPayload

    @staticmethod
    async def mutate(
        _root: object,
        info: ResolveInfo,
        input: RouteTicketInput | None = None,
        id: str | None = None,
        department: str | None = None,
        note: str | None = None,
    ) -> TicketPayload:
        ctx, actor = _ctx(info)
        given = one_shape(input, id=id, department=department, note=note)

        async def run() -> m.Ticket:
            return await desk.route_ticket(
                ctx.session,
                actor,
                ticket_id=parse_global_id(_required(given, "id"), "Ticket"),
                department=_required(given, "department"),
                note=(given or {}).get("note") or "",
            )

        return await _ticket_payload(info, run, RouteTicketPayload)


class ResolveTicketInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="The Ticket.")
    resolution = graphene.String(required=True)


class ResolveTicketPayload(TicketPayload):
    """The ticket as resolved."""


class ResolveTicket(graphene.Mutation):
    """Answer a complaint or inquiry at the desk (its call back falls due); praise closes."""

    class Arguments:
        input = ResolveTicketInput()
        id = graphene.ID(deprecation_reason=OLD_SHAPE)
        resolution = graphene.String(deprecation_reason=OLD_SHAPE)

    Output = ResolveTicketPayload

    @staticmethod
    async def mutate(
        _root: object,
        info: ResolveInfo,
        input: ResolveTicketInput | None = None,
        id: str | None = None,
        resolution: str | None = None,
    ) -> TicketPayload:
        ctx, actor = _ctx(info)
        given = one_shape(input, id=id, resolution=resolution)

        async def run() -> m.Ticket:
            return await desk.resolve_ticket(
                ctx.session,
                actor,
                ticket_id=parse_global_id(_required(given, "id"), "Ticket"),
                resolution=_required(given, "resolution"),
            )

        return await _ticket_payload(info, run, ResolveTicketPayload)
