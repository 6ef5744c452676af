"""Dispatch operations: SuggestTechnicians, OptimizeRoutes, ApplyRoutePlan, UpdateLocation,
GeocodeAddress. Each parses its ids and calls one domain service."""

from __future__ import annotations

import graphene

from wellspring.domain.config import config_of
from wellspring.domain.dispatch import geocoding, positions, route_apply, routes, suggest
from wellspring.domain.errors import DomainError
from wellspring.geo.coords import CoordSystem as DomainCoordSystem

from ..core.context import require_actor
from ..core.errors import user_errors
from ..core.ids import parse_global_id
from ..core.mutation import Failed, run_in_savepoint
from ..core.scalars import Date, DateTime
from .types import (
    AddressPayload,
    CoordSystem,
    RoutePlanPayload,
    TechnicianSuggestions,
    UpdateLocationPayload,
    position_of,
)


async def resolve_suggest_technicians(_root, info, job_id, limit=None):
    actor = require_actor(info)
    ctx = info.context
    try:
        job, found = await suggest.suggest_technicians(
            ctx.session, actor, job_id=parse_global_id(job_id, "Job", field="jobId"), limit=limit
        )
    except DomainError as error:
        errors = user_errors(error, ctx.locale)
        return TechnicianSuggestions(job=None, suggestions=[], errors=errors)
    return TechnicianSuggestions(job=job, suggestions=found, errors=[])


def suggest_technicians_field() -> graphene.Field:
    return graphene.Field(
        graphene.NonNull(TechnicianSuggestions),
        job_id=graphene.ID(required=True),
        limit=graphene.Int(description="How many to return, 1-50 (default 10)."),
        description="The best engineers for a job: travel, skills, shift, load and van stock.",
        resolver=resolve_suggest_technicians,
    )


async def _respond(info, call, payload: type, field: str):
    """Run one service in a savepoint: its result under ``field``, or the payload's errors."""
    result = await run_in_savepoint(info.context, call)
    if isinstance(result, Failed):
        return payload(errors=result)
    return payload(**{field: result, "errors": []})


class OptimizeRoutesInput(graphene.InputObjectType):
    branch_id = graphene.ID(required=True)
    date = Date(required=True, description="The day to plan (Asia/Shanghai).")


class OptimizeRoutes(graphene.Mutation):
    """Plan a branch's day (VROOM). The plan is PROPOSED until ApplyRoutePlan."""

    class Arguments:
        input = OptimizeRoutesInput(required=True)

    Output = RoutePlanPayload

    @staticmethod
    async def mutate(_root, info, input):
        actor = require_actor(info)
        ctx = info.context

        async def run():
            branch_id = parse_global_id(input["branch_id"], "Branch", field="branchId")
            return await routes.optimize_routes(
                ctx.session, actor, branch_id=branch_id, day=input["date"]
            )

        return await _respond(info, run, RoutePlanPayload, "plan")


class ApplyRoutePlanInput(graphene.InputObjectType):
    plan_id = graphene.ID(required=True)


class ApplyRoutePlan(graphene.Mutation):
    """Put a proposed plan on its jobs: engineer, route position, planned arrival and ETA."""

    class Arguments:
        input = ApplyRoutePlanInput(required=True)

    Output = RoutePlanPayload

    @staticmethod
    async def mutate(_root, info, input):
        actor = require_actor(info)
        ctx = info.context

        async def run():
            plan_id = parse_global_id(input["plan_id"], "RoutePlan", field="planId")
            return await route_apply.apply_route_plan(ctx.session, actor, plan_id=plan_id)

        return await _respond(info, run, RoutePlanPayload, "plan")


class UpdateLocation(graphene.Mutation):
    """The engineer's phone reports where it is (used for ETAs and suggestions)."""

    class Arguments:
        latitude = graphene.Float(required=True)
        longitude = graphene.Float(required=True)
        accuracy = graphene.Float(description="Metres.")
        coord_system = graphene.Argument(
            CoordSystem, description="The phone's map datum; WGS84 (GPS) unless said otherwise."
        )
        recorded_at = graphene.Argument(
            DateTime, description="When the fix was taken, for positions sent late."
        )

    Output = UpdateLocationPayload

    @staticmethod
    async def mutate(
        _root, info, latitude, longitude, accuracy=None, coord_system=None, recorded_at=None
    ):
        actor = require_actor(info)
        ctx = info.context

        async def run():
            return await positions.update_location(
                ctx.session,
                actor,
                latitude=latitude,
                longitude=longitude,
                accuracy=accuracy,
                system=DomainCoordSystem(coord_system or DomainCoordSystem.WGS84),
                recorded_at=recorded_at,
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
    address_id = graphene.ID(required=True)


class GeocodeAddress(graphene.Mutation):
    """Refine an address's coordinates with the configured geocoder (cached per address)."""

    class Arguments:
        input = GeocodeAddressInput(required=True)

    Output = AddressPayload

    @staticmethod
    async def mutate(_root, info, input):
        actor = require_actor(info)
        ctx = info.context

        async def run():
            address_id = parse_global_id(input["address_id"], "Address", field="addressId")
            return await geocoding.geocode_address(ctx.session, actor, address_id=address_id)

        return await _respond(info, run, AddressPayload, "address")
