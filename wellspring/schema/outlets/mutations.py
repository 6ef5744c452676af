"""UpsertServiceOutlet, RecordOutletAssessment and the settlement's moves."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.models import enums as e
from wellspring.domain.outlets import assessments, outlets, settlements

from ..core import enums
from ..core.context import require_actor
from ..core.errors import OutletError, errors_field
from ..core.idempotent import key_field, once
from ..core.scalars import Date, Decimal
from ..masterdata.common import optional_id, payload
from .types import OutletAssessment, OutletSettlement, ServiceOutlet

MAX_LIST = 200


class RateInput(graphene.InputObjectType):
    ticket_type = enums.TicketType(required=True)
    amount = Decimal(required=True, description="Paid per completed job of this type (CNY).")


class UpsertServiceOutletInput(graphene.InputObjectType):
    """Without `id` a new outlet (code, name, branchId required); with it, an edit of the
    fields given."""

    id = graphene.ID()
    code = graphene.String()
    name = graphene.String()
    branch_id = graphene.ID()
    category = graphene.String()
    level = enums.OutletLevel()
    credit_limit = Decimal()
    contact_name = graphene.String()
    contact_phone = graphene.String()
    phone = graphene.String()
    mobile = graphene.String()
    email = graphene.String()
    province = graphene.String()
    city = graphene.String()
    district = graphene.String()
    address = graphene.String(description="Street, number, building.")
    is_active = graphene.Boolean(description="false deactivates (nothing is deleted).")
    rate_card = graphene.List(graphene.NonNull(RateInput), description="Replaces the card.")
    technician_ids = graphene.List(
        graphene.NonNull(graphene.ID), description="The engineers attached (replaces the list)."
    )


class UpsertServiceOutletPayload(graphene.ObjectType):
    outlet = graphene.Field(ServiceOutlet)
    errors = errors_field(OutletError)


def _ids(values: list[str] | None, type_name: str, field: str) -> list[str] | None:
    if values is None:
        return None
    return [optional_id(v, type_name, field) or "" for v in values[:MAX_LIST]]


class UpsertServiceOutlet(graphene.Mutation):
    """Create or edit a service outlet: desk, address, rate card, engineers attached."""

    class Arguments:
        input = UpsertServiceOutletInput(required=True)

    Output = UpsertServiceOutletPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            card = input.get("rate_card")
            change = outlets.OutletChange(
                id=optional_id(input.get("id"), "ServiceOutlet", "id"),
                code=input.get("code"),
                name=input.get("name"),
                branch_id=optional_id(input.get("branch_id"), "Branch", "branchId"),
                category=input.get("category"),
                level=e.OutletLevel(input.level) if input.get("level") else None,
                credit_limit=input.get("credit_limit"),
                contact_name=input.get("contact_name"),
                contact_phone=input.get("contact_phone"),
                phone=input.get("phone"),
                mobile=input.get("mobile"),
                email=input.get("email"),
                province=input.get("province"),
                city=input.get("city"),
                district=input.get("district"),
                address=input.get("address"),
                is_active=input.get("is_active"),
                rate_card=(
                    {str(r.ticket_type): r.amount for r in card[:MAX_LIST]}
                    if card is not None
                    else None
                ),
                technician_ids=_ids(input.get("technician_ids"), "Technician", "technicianIds"),
            )
            return await outlets.upsert_outlet(info.context.session, actor, change=change)

        return await payload(info, UpsertServiceOutletPayload, "outlet", run)


class ScoreInput(graphene.InputObjectType):
    criterion = graphene.String(required=True, description="FIRST_TIME_FIX, PUNCTUALITY, ...")
    score = graphene.Int(required=True, description="0-100.")


class RecordOutletAssessmentInput(graphene.InputObjectType):
    outlet_id = graphene.ID(required=True)
    period_start = Date(required=True)
    period_end = Date(required=True)
    scores = graphene.List(graphene.NonNull(ScoreInput), required=True)
    comment = graphene.String()
    idempotency_key = key_field()


class RecordOutletAssessmentPayload(graphene.ObjectType):
    assessment = graphene.Field(OutletAssessment)
    errors = errors_field(OutletError)


class RecordOutletAssessment(graphene.Mutation):
    """Record an outlet's assessment for a period; the system's figures are kept with it."""

    class Arguments:
        input = RecordOutletAssessmentInput(required=True)

    Output = RecordOutletAssessmentPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            request: dict[str, Any] = {
                "outlet_id": optional_id(input.outlet_id, "ServiceOutlet", "outletId") or "",
                "start": input.period_start,
                "end": input.period_end,
                "scores": [
                    assessments.CriterionScore(s.criterion[:60], s.score) for s in input.scores[:50]
                ],
                "comment": (input.get("comment") or "")[:2000],
            }

            async def record() -> m.OutletAssessment:
                return await assessments.record_assessment(info.context.session, actor, **request)

            return await once(
                info,
                "recordOutletAssessment",
                key=input.get("idempotency_key"),
                request=request,
                permission="outlet.assess",
                model=m.OutletAssessment,
                create=record,
            )

        return await payload(info, RecordOutletAssessmentPayload, "assessment", run)


class GenerateOutletSettlementPayload(graphene.ObjectType):
    settlement = graphene.Field(OutletSettlement)
    errors = errors_field(OutletError)


class AdjustOutletSettlementPayload(graphene.ObjectType):
    settlement = graphene.Field(OutletSettlement)
    errors = errors_field(OutletError)


class ConfirmOutletSettlementPayload(graphene.ObjectType):
    settlement = graphene.Field(OutletSettlement)
    errors = errors_field(OutletError)


class MarkOutletSettlementPaidPayload(graphene.ObjectType):
    settlement = graphene.Field(OutletSettlement)
    errors = errors_field(OutletError)


class GenerateOutletSettlementInput(graphene.InputObjectType):
    outlet_id = graphene.ID(required=True)
    month = graphene.String(required=True, description="YYYY-MM")


class GenerateOutletSettlement(graphene.Mutation):
    """Compute (or recompute, while a draft) an outlet's settlement for a month."""

    class Arguments:
        input = GenerateOutletSettlementInput(required=True)

    Output = GenerateOutletSettlementPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            return await settlements.generate_settlement(
                info.context.session,
                actor,
                outlet_id=optional_id(input.outlet_id, "ServiceOutlet", "outletId") or "",
                month=input.month[:16],
            )

        return await payload(info, GenerateOutletSettlementPayload, "settlement", run)


class AdjustOutletSettlementInput(graphene.InputObjectType):
    id = graphene.ID(required=True)
    amount = Decimal(required=True, description="Added to the total; negative to take off.")
    reason = graphene.String(required=True)


class AdjustOutletSettlement(graphene.Mutation):
    """Add an adjustment with a reason to a draft settlement."""

    class Arguments:
        input = AdjustOutletSettlementInput(required=True)

    Output = AdjustOutletSettlementPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            return await settlements.adjust_settlement(
                info.context.session,
                actor,
                settlement_id=optional_id(input.id, "OutletSettlement", "id") or "",
                amount=input.amount,
                reason=input.reason[:400],
            )

        return await payload(info, AdjustOutletSettlementPayload, "settlement", run)


class ConfirmOutletSettlementInput(graphene.InputObjectType):
    id = graphene.ID(required=True)
    accept_unpriced = graphene.Boolean(
        description="Confirm even though some jobs are priced by neither the rate card nor a "
        "price standard (they count 0); without it such a settlement is refused with "
        "SETTLEMENT_UNPRICED."
    )


class MarkOutletSettlementPaidInput(graphene.InputObjectType):
    id = graphene.ID(required=True)
    reference = graphene.String(description="The payment's reference.")


class ConfirmOutletSettlement(graphene.Mutation):
    """Confirm a draft settlement: it is frozen and waits for payment."""

    class Arguments:
        input = ConfirmOutletSettlementInput(required=True)

    Output = ConfirmOutletSettlementPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            return await settlements.confirm_settlement(
                info.context.session,
                actor,
                settlement_id=optional_id(input.id, "OutletSettlement", "id") or "",
                accept_unpriced=bool(input.get("accept_unpriced")),
            )

        return await payload(info, ConfirmOutletSettlementPayload, "settlement", run)


class MarkOutletSettlementPaid(graphene.Mutation):
    """Record that a confirmed settlement was paid."""

    class Arguments:
        input = MarkOutletSettlementPaidInput(required=True)

    Output = MarkOutletSettlementPaidPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            return await settlements.mark_settlement_paid(
                info.context.session,
                actor,
                settlement_id=optional_id(input.id, "OutletSettlement", "id") or "",
                reference=(input.get("reference") or "")[:200],
            )

        return await payload(info, MarkOutletSettlementPaidPayload, "settlement", run)
