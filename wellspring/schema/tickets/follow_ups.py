"""Follow-ups (回访): the call back after completed work, as a ticket lists them."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m

from ..core import enums
from ..core.node import ModelObjectType, Node
from ..core.scalars import DateTime


class FollowUp(ModelObjectType):
    """The call back after completed work."""

    model = m.FollowUp

    class Meta:
        interfaces = (Node,)

    ticket = graphene.Field("wellspring.schema.tickets.types.Ticket")

    @staticmethod
    def resolve_ticket(root: m.FollowUp, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Ticket, root.ticket_id)

    status = graphene.Field(enums.FollowUpStatus, required=True)
    due_at = graphene.Field(DateTime, required=True)
    score = graphene.Int()
    dissatisfaction = graphene.Field(enums.Dissatisfaction)
    comment = graphene.String(required=True)
    recorded_by_name = graphene.String()
    recorded_at = graphene.Field(DateTime)
    source = graphene.Field(
        enums.FollowUpSource,
        required=True,
        description="Who gave the score: CUSTOMER when they rated the visit themselves.",
    )

    @staticmethod
    async def resolve_recorded_by_name(root: m.FollowUp, info: ResolveInfo) -> Any:
        return await info.context.loaders.display_name(root.recorded_by_id)
