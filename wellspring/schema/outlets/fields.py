"""ServiceOutlets, OutletSettlements and the assessment form: the outlet queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain.outlets import assessments, outlets, settlements

from ..core.connection import connection_args, connection_for
from ..core.context import require_actor
from ..core.scalars import Date
from ..masterdata.common import optional_id
from .types import OutletAssessmentForm, OutletSettlement, ServiceOutlet


class OutletQueries(graphene.ObjectType):
    service_outlets = graphene.Field(
        graphene.NonNull(connection_for(ServiceOutlet)),
        search=graphene.String(description="Code, name or city."),
        description="Service outlets (服务网点) by code; an outlet's engineer sees their own.",
        **connection_args(),
    )
    outlet_settlements = graphene.Field(
        graphene.NonNull(connection_for(OutletSettlement)),
        outlet_id=graphene.ID(),
        month=graphene.String(description="YYYY-MM"),
        description="Monthly outlet settlements, newest month first.",
        **connection_args(),
    )
    outlet_assessment_form = graphene.Field(
        OutletAssessmentForm,
        outlet_id=graphene.ID(required=True),
        period_start=Date(required=True),
        period_end=Date(required=True),
        description="An assessment form pre-filled with the system's own figures for the "
        "period (first-time fix, punctuality, follow-up scores).",
    )

    @staticmethod
    async def resolve_service_outlets(
        _root: Any,
        info: ResolveInfo,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        return await outlets.outlets_page(
            info.context.session, actor, search=search, first=first, after=after
        )

    @staticmethod
    async def resolve_outlet_settlements(
        _root: Any,
        info: ResolveInfo,
        outlet_id: str | None = None,
        month: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        return await settlements.settlements_page(
            info.context.session,
            actor,
            outlet_id=optional_id(outlet_id, "ServiceOutlet", "outletId"),
            month=(month or "")[:16] or None,
            first=first,
            after=after,
        )

    @staticmethod
    async def resolve_outlet_assessment_form(
        _root: Any, info: ResolveInfo, outlet_id: str, period_start: dt.date, period_end: dt.date
    ) -> Any:
        actor = require_actor(info)
        return await assessments.assessment_form(
            info.context.session,
            actor,
            outlet_id=optional_id(outlet_id, "ServiceOutlet", "outletId") or "",
            start=period_start,
            end=period_end,
        )
