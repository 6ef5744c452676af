"""The reports' row types: figures, with the branch, model or engineer they are about."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m

from ..core import enums
from ..core.scalars import TOTAL, Decimal


def _load(model: type[Any], attribute: str) -> Any:
    def resolve(root: Any, info: ResolveInfo) -> Any:
        return info.context.loaders.load(model, getattr(root, attribute))

    return resolve


class ServiceKpis(graphene.ObjectType):
    """The service figures of a period (docs/api.md, "Reports": every definition)."""

    opened = graphene.Int(required=True, description="Tickets opened in the period.")
    open = graphene.Int(required=True, description="Of those, still open now.")
    overdue = graphene.Int(required=True, description="Of those, open and past due now.")
    repairs_completed = graphene.Int(
        required=True, description="REPAIR tickets whose work was completed in the period."
    )
    fixed_first_time = graphene.Int(
        required=True, description="Of those, done by one visit (one completed job, none failed)."
    )
    first_time_fix_rate = graphene.Float(description="fixedFirstTime / repairsCompleted.")
    arrivals_measured = graphene.Int(required=True)
    hours_to_arrival = graphene.Float(
        description="Mean hours from opening to the first engineer on site (phone times)."
    )
    completions_measured = graphene.Int(required=True)
    hours_to_completion = graphene.Float(
        description="Mean hours from opening to the work's completion (phone times)."
    )
    scores = graphene.Int(required=True, description="Follow-up scores recorded in the period.")
    csat = graphene.Float(description="Their mean (1-5).")
    satisfied_rate = graphene.Float(description="Share of scores of 4 or 5.")
    missed_calls = graphene.Int(
        description="Calls the hotline missed in the period (a branch's: callers matched to its "
        "customers); null for a dealer."
    )
    returned_calls = graphene.Int(description="Of those, called back and reached.")
    unreturned_calls = graphene.Int(description="Of those, not (yet) reached.")
    call_return_rate = graphene.Float(description="returnedCalls / missedCalls.")


class OpenTicketsRow(graphene.ObjectType):
    branch = graphene.Field(
        "wellspring.schema.org.types.Branch", resolver=_load(m.Branch, "branch_id")
    )
    type = graphene.Field(enums.TicketType, required=True)
    opened = graphene.Int(required=True)
    open = graphene.Int(required=True)
    overdue = graphene.Int(required=True)


class RepairsRow(graphene.ObjectType):
    fault_code = graphene.String(required=True, description="As the report named it; '' if none.")
    device_model = graphene.Field(
        "wellspring.schema.devices.types.DeviceModel",
        resolver=_load(m.DeviceModel, "device_model_id"),
    )
    repairs = graphene.Int(required=True)


class CardsRow(graphene.ObjectType):
    branch = graphene.Field(
        "wellspring.schema.org.types.Branch", resolver=_load(m.Branch, "branch_id")
    )
    opened = graphene.Int(required=True, description="Activated in the period.")
    cancelled = graphene.Int(required=True, description="Cancelled (退卡) in the period.")
    active = graphene.Int(required=True, description="Bound now.")


class RechargesRow(graphene.ObjectType):
    branch = graphene.Field(
        "wellspring.schema.org.types.Branch", resolver=_load(m.Branch, "branch_id")
    )
    plan = graphene.String(required=True, description="MONTHLY (months) or BUCKETS (buckets).")
    recharges = graphene.Int(required=True)
    quantity = graphene.BigInt(required=True, description=TOTAL)
    amount = graphene.Field(Decimal, required=True, description="Yuan paid.")


class SupplyExpiringRow(graphene.ObjectType):
    branch = graphene.Field(
        "wellspring.schema.org.types.Branch", resolver=_load(m.Branch, "branch_id")
    )
    devices = graphene.Int(required=True, description="Monthly plans ending in the period.")


class PartsConsumedRow(graphene.ObjectType):
    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    device_model = graphene.Field(
        "wellspring.schema.devices.types.DeviceModel",
        resolver=_load(m.DeviceModel, "device_model_id"),
    )
    quantity = graphene.BigInt(required=True, description=TOTAL)


class EngineerRow(graphene.ObjectType):
    technician = graphene.Field(
        "wellspring.schema.org.types.Technician", resolver=_load(m.Technician, "technician_id")
    )
    completed = graphene.Int(required=True)
    failed = graphene.Int(required=True)
    travel_km = graphene.Float(required=True, description="Reported on completed jobs.")
    hours_travelling = graphene.Float(description="Mean, start of travel to arrival.")
    scores = graphene.Int(required=True)
    average_score = graphene.Float()


class CategoryCount(graphene.ObjectType):
    category = graphene.Field(enums.Dissatisfaction, required=True)
    count = graphene.Int(required=True)


class ScoreCount(graphene.ObjectType):
    score = graphene.Int(required=True)
    count = graphene.Int(required=True)


class FollowUpMonth(graphene.ObjectType):
    month = graphene.String(required=True, description="YYYY-MM, Asia/Shanghai.")
    scores = graphene.Int(required=True)
    average_score = graphene.Float()
    by_score = graphene.NonNull(graphene.List(graphene.NonNull(ScoreCount)))
    dissatisfaction = graphene.NonNull(graphene.List(graphene.NonNull(CategoryCount)))

    @staticmethod
    def resolve_by_score(root: Any, _info: ResolveInfo) -> Any:
        return [ScoreCount(score=s, count=n) for s, n in sorted(root.by_score.items())]

    @staticmethod
    def resolve_dissatisfaction(root: Any, _info: ResolveInfo) -> Any:
        return [CategoryCount(category=c, count=n) for c, n in sorted(root.dissatisfaction.items())]
