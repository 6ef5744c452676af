"""ServiceOutlet, OutletAssessment, OutletSettlement and the assessment form's figures."""

from __future__ import annotations

from decimal import Decimal as PyDecimal
from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.outlets import assessments, figures, outlets, pricing

from ..core import enums
from ..core.context import require_actor
from ..core.ids import global_id
from ..core.node import ModelObjectType, Node
from ..core.scalars import Date, DateTime, Decimal, Money, money
from ..org.types import Branch, Technician


class Rate(graphene.ObjectType):
    """What the outlet is paid for one completed job of a ticket type."""

    ticket_type = graphene.Field(enums.TicketType, required=True)
    amount = graphene.Field(Money, required=True)


class CriterionScore(graphene.ObjectType):
    criterion = graphene.String(required=True, description="FIRST_TIME_FIX, PUNCTUALITY, ...")
    score = graphene.Int(description="0-100; null when the system has no figure for it.")


class OutletFigures(graphene.ObjectType):
    """The system's own numbers on the outlet's engineers' work in a period (rates 0-1)."""

    jobs_completed = graphene.Int(required=True)
    tickets_completed = graphene.Int(required=True)
    fixed_first_time = graphene.Int(required=True, description="Tickets done in one visit.")
    first_time_fix_rate = Decimal()
    with_appointment = graphene.Int(required=True, description="Completed jobs with a window.")
    on_time = graphene.Int(required=True, description="Of those, arrived by the window's end.")
    punctuality_rate = Decimal()
    follow_ups = graphene.Int(required=True, description="Follow-up calls with a score.")
    follow_up_score = Decimal(description="Their mean score, 1-5.")


def _figures(raw: dict[str, Any]) -> OutletFigures:
    return OutletFigures(**{k: raw.get(k) for k in OutletFigures._meta.fields})


class OutletAssessmentForm(graphene.ObjectType):
    """An assessment form as it opens: the period's figures and the scores they suggest."""

    period_start = Date(required=True)
    period_end = Date(required=True)
    figures = graphene.Field(OutletFigures, required=True)
    suggested_scores = graphene.NonNull(graphene.List(graphene.NonNull(CriterionScore)))

    @staticmethod
    def resolve_figures(root: assessments.AssessmentForm, _info: ResolveInfo) -> Any:
        return _figures(root.figures.as_dict())

    @staticmethod
    def resolve_suggested_scores(root: assessments.AssessmentForm, _info: ResolveInfo) -> Any:
        scores = root.figures.suggested_scores()
        return [CriterionScore(criterion=c, score=scores[c]) for c in figures.CRITERIA]


class OutletAssessment(ModelObjectType):
    """One periodic assessment: the assessor's scores beside the system's figures."""

    model = m.OutletAssessment

    class Meta:
        interfaces = (Node,)

    period_start = Date(required=True)
    period_end = Date(required=True)
    scores = graphene.NonNull(graphene.List(graphene.NonNull(CriterionScore)))
    total_score = Decimal(required=True, description="The mean of the scores.")
    comment = graphene.String(required=True)
    figures = graphene.Field(OutletFigures, required=True)
    created_at = DateTime(required=True)

    @staticmethod
    def resolve_scores(root: m.OutletAssessment, _info: ResolveInfo) -> Any:
        return [CriterionScore(criterion=s["criterion"], score=s["score"]) for s in root.scores]

    @staticmethod
    def resolve_figures(root: m.OutletAssessment, _info: ResolveInfo) -> Any:
        return _figures(root.figures)


class ServiceOutlet(ModelObjectType):
    """A service outlet (服务网点): its desk, address, rate card, engineers and assessments."""

    model = m.ServiceOutlet

    class Meta:
        interfaces = (Node,)

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    category = graphene.String(required=True)
    level = graphene.Field(enums.OutletLevel, required=True)
    credit_limit = graphene.Field(Money, required=True)
    contact_name = graphene.String(required=True)
    contact_phone = graphene.String(required=True)
    phone = graphene.String(required=True)
    mobile = graphene.String(required=True)
    email = graphene.String(required=True)
    province = graphene.String(required=True)
    city = graphene.String(required=True)
    district = graphene.String(required=True)
    address = graphene.String(required=True, description="Street, number, building.")
    is_active = graphene.Boolean(required=True)
    branch = graphene.Field(Branch)
    rate_card = graphene.NonNull(graphene.List(graphene.NonNull(Rate)))
    technicians = graphene.NonNull(graphene.List(graphene.NonNull(Technician)))
    assessments = graphene.NonNull(
        graphene.List(graphene.NonNull(OutletAssessment)), description="Newest period first."
    )

    @staticmethod
    def resolve_credit_limit(root: m.ServiceOutlet, _info: ResolveInfo) -> Any:
        return money(root.credit_limit, root.currency)

    @staticmethod
    def resolve_branch(root: m.ServiceOutlet, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Branch, root.branch_id)

    @staticmethod
    def resolve_rate_card(root: m.ServiceOutlet, _info: ResolveInfo) -> Any:
        card = root.rate_card or {}
        return [
            Rate(ticket_type=t, amount=money(PyDecimal(v), root.currency))
            for t, v in sorted(card.items())
        ]

    @staticmethod
    async def resolve_technicians(root: m.ServiceOutlet, info: ResolveInfo) -> Any:
        actor = require_actor(info)
        return await outlets.technicians_of(info.context.session, actor, root.id)

    @staticmethod
    async def resolve_assessments(root: m.ServiceOutlet, info: ResolveInfo) -> Any:
        return await assessments.assessments_of(info.context.session, root.id)


class Adjustment(graphene.ObjectType):
    amount = graphene.Field(Money, required=True)
    reason = graphene.String(required=True)
    at = graphene.String(required=True, description="When, ISO 8601.")


class SettlementLine(graphene.ObjectType):
    """Jobs of one ticket type priced alike: by the rate card, by one price standard, or by
    nothing (flagged: ``source`` NONE, ``rate`` null, ``amount`` 0)."""

    ticket_type = graphene.Field(enums.TicketType, required=True)
    jobs = graphene.Int(required=True)
    rate = graphene.Field(Money, description="Null when nothing priced these jobs.")
    amount = graphene.Field(Money, required=True)
    source = graphene.Field(enums.SettlementPriceSource, required=True)
    unpriced = graphene.Boolean(
        required=True, description="True when nothing priced these jobs (source NONE)."
    )
    price_standard_id = graphene.ID(description="The PriceStandard, when source is PRICE_STANDARD.")


class OutletSettlement(ModelObjectType):
    """A month's settlement with an outlet: jobs x rate card, less parts, plus adjustments."""

    model = m.OutletSettlement

    class Meta:
        interfaces = (Node,)

    month = graphene.String(required=True, description="YYYY-MM (Asia/Shanghai).")
    status = graphene.Field(enums.SettlementStatus, required=True)
    outlet = graphene.Field(ServiceOutlet)
    lines = graphene.NonNull(graphene.List(graphene.NonNull(SettlementLine)))
    adjustments = graphene.NonNull(graphene.List(graphene.NonNull(Adjustment)))
    job_count = graphene.Int(required=True)
    jobs_amount = graphene.Field(Money, required=True)
    parts_amount = graphene.Field(
        Money, required=True, description="Parts fitted on those jobs at list price, charged."
    )
    adjustments_amount = graphene.Field(Money, required=True)
    total = graphene.Field(Money, required=True, description="jobs - parts + adjustments.")
    unpriced_jobs = graphene.Int(
        required=True,
        description="Jobs priced by neither the rate card nor a price standard (counted 0).",
    )
    generated_at = DateTime()
    confirmed_at = DateTime()
    paid_at = DateTime()
    payment_reference = graphene.String(required=True)

    @staticmethod
    def resolve_outlet(root: m.OutletSettlement, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.ServiceOutlet, root.outlet_id)

    @staticmethod
    def resolve_lines(root: m.OutletSettlement, _info: ResolveInfo) -> Any:
        lines = []
        for line in root.lines:
            # Lines stored before the price standards were read have no source: the card's.
            source = line.get("source") or "RATE_CARD"
            rate = line.get("rate")
            standard = line.get("price_standard_id") or None
            lines.append(
                SettlementLine(
                    ticket_type=line["ticket_type"],
                    jobs=line["jobs"],
                    rate=None if rate is None else money(PyDecimal(rate), root.currency),
                    amount=money(PyDecimal(line["amount"]), root.currency),
                    source=source,
                    unpriced=source == "NONE",
                    price_standard_id=global_id("PriceStandard", standard) if standard else None,
                )
            )
        return lines

    @staticmethod
    def resolve_unpriced_jobs(root: m.OutletSettlement, _info: ResolveInfo) -> Any:
        return pricing.unpriced_jobs(root.lines)

    @staticmethod
    def resolve_adjustments(root: m.OutletSettlement, _info: ResolveInfo) -> Any:
        return [
            Adjustment(
                amount=money(PyDecimal(a["amount"]), root.currency), reason=a["reason"], at=a["at"]
            )
            for a in root.adjustments
        ]

    @staticmethod
    def resolve_jobs_amount(root: m.OutletSettlement, _info: ResolveInfo) -> Any:
        return money(root.jobs_amount, root.currency)

    @staticmethod
    def resolve_parts_amount(root: m.OutletSettlement, _info: ResolveInfo) -> Any:
        return money(root.parts_amount, root.currency)

    @staticmethod
    def resolve_adjustments_amount(root: m.OutletSettlement, _info: ResolveInfo) -> Any:
        return money(root.adjustments_amount, root.currency)

    @staticmethod
    def resolve_total(root: m.OutletSettlement, _info: ResolveInfo) -> Any:
        return money(root.total, root.currency)
