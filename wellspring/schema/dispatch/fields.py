"""Dispatch operations: SuggestTechnicians, OptimizeRoutes, ApplyRoutePlan, UpdateLocation,
GeocodeAddress. Each parses its ids and calls one domain service."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.config import config_of
from wellspring.domain.dispatch import geocoding, positions, route_apply, routes, suggest
from wellspring.domain.errors import DomainError
from wellspring.geo.coords import CoordSystem as DomainCoordSystem

from ..core.context import require_actor
from ..core.errors import user_errors
from ..core.ids import parse_global_id
from ..core.mutation import (
    OLD_NAME,
    OLD_SHAPE,
    Failed,
    one_shape,
    renamed_id,
    required,
    run_in_savepoint,
)
from ..core.scalars import Date, DateTime
from .types import (
    AddressPayload,
    CoordSystem,
    RoutePlanPayload,
    TechnicianSuggestions,
    UpdateLocationPayload,
    position_of,
)


async def resolve_suggest_technicians(
    _root: Any, info: ResolveInfo, job_id: str, limit: int | None = None
) -> Any:
    actor = require_actor(info)
    ctx = info.context
    try:
        job, found = await suggest.suggest_technicians(
            ctx.session, actor, job_id=parse_global_id(job_id, "Job", field="jobId"), limit=limit
        )
    except DomainError as error:
        errors = user_errors(error, ctx.locale)
        return TechnicianSuggestions(job=None, suggestions=[], errors=errors)
    ctx.loaders.know_display_names({s.technician.user_id: s.name for s in found})
    # Engineers read as some columns: a selection within them is answered from these rows.
    ctx.loaders.know({m.Technician: {s.technician.id: s.technician for s in found}})
    return TechnicianSuggestions(job=job, suggestions=found, errors=[])


def suggest_technicians_field() -> graphene.Field:
    return graphene.Field(
        graphene.NonNull(TechnicianSuggestions),
        job_id=graphene.ID(required=True),
        limit=graphene.Int(description="How many to return, 1-50 (default 10)."),
        description="The best engineers for a job: travel, skills, shift, load and van stock.",
        resolver=resolve_suggest_technicians,
    )


async def _respond(info: ResolveInfo, call: Any, payload: type, field: str) -> Any:
    """Run one service in a savepoint: its result under ``field``, or the payload's errors."""
    result = await run_in_savepoint(info.context, call)
    if isinstance(result, Failed):
        return payload(errors=result)
    return payload(**{field: result, "errors": []})


class OptimizeRoutesInput(graphene.InputObjectType):
    branch_id = graphene.ID(required=True)
    date = Date(required=True, description="The day to plan (Asia/Shanghai).")


class OptimizeRoutesPayload(RoutePlanPayload):
    """The plan proposed."""


class OptimizeRoutes(graphene.Mutation):
    """Plan a branch's day (VROOM). The plan is PROPOSED until ApplyRoutePlan."""

    class Arguments:
        input = OptimizeRoutesInput(required=True)

    Output = OptimizeRoutesPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)
        ctx = info.context

        async def run() -> Any:
            branch_id = parse_global_id(input["branch_id"], "Branch", field="branchId")
            return await routes.optimize_routes(
                ctx.session, actor, branch_id=branch_id, day=input["date"]
            )

        return await _respond(info, run, OptimizeRoutesPayload, "plan")


class ApplyRoutePlanInput(graphene.InputObjectType):
    """The plan to apply; give `id` (or, for one release, `planId`)."""

    id = graphene.ID(description="The RoutePlan.")
    plan_id = graphene.ID(deprecation_reason=OLD_NAME)


class ApplyRoutePlanPayload(RoutePlanPayload):
    """The plan as applied."""


class ApplyRoutePlan(graphene.Mutation):
    """Put a proposed plan on its jobs: engineer, route position, planned arrival and ETA."""

    class Arguments:
        input = ApplyRoutePlanInput(required=True)

    Output = ApplyRoutePlanPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)
        ctx = info.context

        async def run() -> Any:
            given = renamed_id(input, "plan_id", "planId")
            plan_id = parse_global_id(given, "RoutePlan", field="id")
            return await route_apply.apply_route_plan(ctx.session, actor, plan_id=plan_id)

        return await _respond(info, run, ApplyRoutePlanPayload, "plan")


class UpdateLocationInput(graphene.InputObjectType):
    latitude = graphene.Float(required=True)
    longitude = graphene.Float(required=True)
    accuracy = graphene.Float(description="Metres.")
    coord_system = graphene.Field(
        CoordSystem, description="The phone's map datum; WGS84 (GPS) unless said otherwise."
    )
    recorded_at = graphene.Field(
        DateTime, description="When the fix was taken, for positions sent late."
    )


class UpdateLocation(graphene.Mutation):
    """The engineer's phone reports where it is (used for ETAs and suggestions)."""

    class Arguments:
        input = UpdateLocationInput()
        latitude = graphene.Float(deprecation_reason=OLD_SHAPE)
        longitude = graphene.Float(deprecation_reason=OLD_SHAPE)
        accuracy = graphene.Float(description="Metres.", deprecation_reason=OLD_SHAPE)
        coord_system = graphene.Argument(CoordSystem, deprecation_reason=OLD_SHAPE)
        recorded_at = graphene.Argument(DateTime, deprecation_reason=OLD_SHAPE)

    Output = UpdateLocationPayload

    @staticmethod
    async def mutate(
        _root: object,
        info: ResolveInfo,
        input: UpdateLocationInput | None = None,
        **old: Any,
    ) -> UpdateLocationPayload:
        actor = require_actor(info)
        ctx = info.context
        given = one_shape(input, **old)

        async def run() -> tuple[m.Technician, list[m.Job]]:
            return await positions.update_location(
                ctx.session,
                actor,
                latitude=required(given, "latitude"),
                longitude=required(given, "longitude"),
                accuracy=(given or {}).get("accuracy"),
                system=DomainCoordSystem(
                    (given or {}).get("coord_system") or DomainCoordSystem.WGS84
                ),
                recorded_at=(given or {}).get("recorded_at"),
            )

        result = await run_in_savepoint(ctx, run)
        if isinstance(result, Failed):
            return UpdateLocationPayload(errors=result, etas_changed=[])
        tech, changed = result
        return UpdateLocationPayload(
            position=position_of(tech, ctx.now, config_of(ctx.session).dispatch.position_max_age),
            etas_changed=changed,
            errors=[],
        )


class GeocodeAddressInput(graphene.InputObjectType):
    """The address to refine; give `id` (or, for one release, `addressId`)."""

    id = graphene.ID(description="The Address.")
    address_id = graphene.ID(deprecation_reason=OLD_NAME)


class GeocodeAddressPayload(AddressPayload):
    """The address with its refined coordinates."""


class GeocodeAddress(graphene.Mutation):
    """Refine an address's coordinates with the configured geocoder (cached per address)."""

    class Arguments:
        input = GeocodeAddressInput(required=True)

    Output = GeocodeAddressPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)
        ctx = info.context

        async def run() -> Any:
            given = renamed_id(input, "address_id", "addressId")
            address_id = parse_global_id(given, "Address", field="id")
            return await geocoding.geocode_address(ctx.session, actor, address_id=address_id)

        return await _respond(info, run, GeocodeAddressPayload, "address")
