"""A ticket's dealer fields (issue 18): the agent it was opened through and what the visit
is charged (a relocation's SERVICE_RELOCATE standard, recorded when it opened)."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.models import enums as e

from ..core import enums
from ..core.ids import global_id
from ..core.scalars import Decimal
from ..org.types import Agent


class TicketCharge(graphene.ObjectType):
    """The fee a chargeable visit carries, from the price standard that applied."""

    amount = Decimal(required=True)
    currency = graphene.String(required=True)
    kind = graphene.Field(enums.PriceKind, required=True)
    standard_id = graphene.ID(required=True, description="The PriceStandard (global id).")


class TicketDealerFields:
    """Mixed into ``Ticket``."""

    through_agent = graphene.Field(
        Agent, description="The agent the hotline opened it through (only its engineers go)."
    )
    charge = graphene.Field(
        TicketCharge,
        description="A relocation's fee (SERVICE_RELOCATE for the machine's city and the "
        "opening day); none when no standard applied.",
    )

    @staticmethod
    def resolve_through_agent(root: m.Ticket, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Agent, root.agent_id)

    @staticmethod
    def resolve_charge(root: m.Ticket, _info: ResolveInfo) -> Any:
        charge = (root.details or {}).get("charge")
        if not charge:
            return None
        return TicketCharge(
            amount=charge["amount"],
            currency=charge["currency"],
            kind=e.PriceKind(charge["kind"]),
            standard_id=global_id("PriceStandard", charge["standard_id"]),
        )
