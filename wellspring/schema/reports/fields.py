"""Root report queries: each takes ``branchId``, ``from`` and ``to`` (inclusive days,
Asia/Shanghai) and calls its domain report (``domain/reports``), which checks the role and
reads through the actor's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo
from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.domain.actor import Actor
from wellspring.domain.reports import accounts, engineers, repairs, satisfaction, service

from ..core.context import require_actor
from ..core.ids import parse_global_id
from ..core.scalars import Date
from . import types

Report = Callable[..., Awaitable[Any]]


def _args() -> dict[str, Any]:
    return {
        "branch_id": graphene.ID(description="One branch; every branch the caller sees if none."),
        "from_": Date(required=True, name="from", description="First day (inclusive)."),
        "to": Date(required=True, description="Last day (inclusive); at most 366 days."),
    }


def _list(row: type[graphene.ObjectType], description: str) -> graphene.Field:
    return graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(row))), description=description, **_args()
    )


def _resolver(report: Report) -> Callable[..., Awaitable[Any]]:
    async def resolve(
        _root: Any, info: ResolveInfo, from_: dt.date, to: dt.date, branch_id: str | None = None
    ) -> Any:
        actor: Actor = require_actor(info)
        session: AsyncSession = info.context.session
        branch = parse_global_id(branch_id, "Branch", field="branchId") if branch_id else None
        return await report(session, actor, branch_id=branch, first=from_, last=to)

    return resolve


class ReportQueries(graphene.ObjectType):
    service_kpis = graphene.Field(
        graphene.NonNull(types.ServiceKpis),
        description="Open and overdue tickets, first-time fix, times to arrival and completion, "
        "CSAT.",
        resolver=_resolver(service.service_kpis),
        **_args(),
    )
    open_tickets_report = graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(types.OpenTicketsRow))),
        description="Tickets opened in the period by branch and type: still open, overdue.",
        resolver=_resolver(service.open_tickets),
        **_args(),
    )
    repairs_report = graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(types.RepairsRow))),
        description="Repair visits completed in the period by fault code and device model.",
        resolver=_resolver(repairs.repairs_by_fault),
        **_args(),
    )
    parts_consumed_report = graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(types.PartsConsumedRow))),
        description="Parts consumed on jobs in the period by part and device model.",
        resolver=_resolver(repairs.parts_by_model),
        **_args(),
    )
    cards_report = graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(types.CardsRow))),
        description="Account cards opened and cancelled in the period, and active now.",
        resolver=_resolver(accounts.cards),
        **_args(),
    )
    recharges_report = graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(types.RechargesRow))),
        description="Recharges done in the period by branch and plan, with the amount paid.",
        resolver=_resolver(accounts.recharges),
        **_args(),
    )
    supply_expiring_report = graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(types.SupplyExpiringRow))),
        description="Installed monthly-plan devices whose supply ends in the period.",
        resolver=_resolver(accounts.supply_expiring),
        **_args(),
    )
    engineers_report = graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(types.EngineerRow))),
        description="Each engineer's jobs finished in the period, travel and scores.",
        resolver=_resolver(engineers.engineers),
        **_args(),
    )
    follow_ups_report = graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(types.FollowUpMonth))),
        description="Follow-up scores and dissatisfaction categories by month.",
        resolver=_resolver(satisfaction.follow_ups_by_month),
        **_args(),
    )
