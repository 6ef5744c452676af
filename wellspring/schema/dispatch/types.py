"""Dispatch types: suggestions, route plans, engineer positions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.dispatch import locate
from wellspring.domain.dispatch.route_results import UNPLACED_REASONS
from wellspring.domain.models import enums as e
from wellspring.geo.coords import CoordSystem as DomainCoordSystem
from wellspring.i18n import message

from ..core import enums
from ..core.errors import DispatchError, errors_field
from ..core.node import ModelObjectType, Node
from ..core.related import Computed, Related
from ..core.scalars import Date, DateTime

PositionSource = enums.described(locate.PositionSource)
RoutePlanStatus = enums.described(e.RoutePlanStatus)
CoordSystem = enums.described(DomainCoordSystem, "CoordSystem")
UnplacedReason = enums.from_messages(
    "UnplacedReason",
    UNPLACED_REASONS,
    "Why the route planner left a job out of every route.",
    message_prefix="UNPLACED_",
)


def _when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


class PartShortage(graphene.ObjectType):
    part = graphene.Field("wellspring.schema.inventory.types.Part")
    needed = graphene.Int(required=True)
    in_van = graphene.Int(required=True)

    # A relation the short path answers when the request knows the part (``Related``).
    resolve_part = Related(m.Part, "part_id")


class TechnicianSuggestion(graphene.ObjectType):
    """One engineer for a job, with the facts the ranking weighed (lower score is better)."""

    technician = graphene.Field("wellspring.schema.org.types.Technician", required=True)
    name = graphene.String(required=True)
    distance_km = graphene.Float(required=True, description="Geodesic, from where they are.")
    travel_minutes = graphene.Int(required=True, description="Estimated road time.")
    eta = graphene.Field(DateTime, required=True)
    skills_matched = graphene.NonNull(graphene.List(graphene.NonNull(enums.TicketType)))
    load = graphene.Int(required=True, description="Their other open jobs that day.")
    on_shift = graphene.Boolean(required=True)
    on_time = graphene.Boolean(required=True, description="Can arrive inside the agreed window.")
    parts_ready = graphene.Boolean(required=True, description="The van holds the parts needed.")
    missing_parts = graphene.NonNull(graphene.List(graphene.NonNull(PartShortage)))
    position_source = graphene.Field(PositionSource, required=True)
    position_at = graphene.Field(DateTime)
    score = graphene.Float(required=True)

    # The engineer as the ring search read them (the columns a suggestion shows: the
    # resolver tells the loaders of these partial rows); a selection reading any other column
    # loads the whole row through the DataLoader.
    resolve_technician = Related(m.Technician, "technician_id")
    # Worked out from the suggestion alone: answered on the short path of ``plain_fields.py``
    # (ten suggestions a request, each with these).
    resolve_travel_minutes = Computed(lambda root, _context: round(root.travel_seconds / 60))
    resolve_position_source = Computed(lambda root, _context: root.located.source)
    resolve_position_at = Computed(lambda root, _context: root.located.at)
    resolve_skills_matched = Computed(lambda root, _context: root.skills_matched)
    resolve_missing_parts = Computed(lambda root, _context: root.shortages)


class TechnicianSuggestions(graphene.ObjectType):
    job = graphene.Field("wellspring.schema.tickets.types.Job")
    suggestions = graphene.NonNull(graphene.List(graphene.NonNull(TechnicianSuggestion)))
    errors = errors_field(DispatchError)


class RouteStop(graphene.ObjectType):
    """A job in an engineer's day: when they arrive, start, leave; how far from the last stop."""

    position = graphene.Int(required=True, description="1 = first stop of the day.")
    job = graphene.Field("wellspring.schema.tickets.types.Job")
    arrival_at = graphene.Field(DateTime, required=True)
    service_start_at = graphene.Field(DateTime, required=True)
    departure_at = graphene.Field(DateTime, required=True)
    travel_seconds = graphene.Int(required=True)
    distance_meters = graphene.Int(required=True)
    waiting_seconds = graphene.Int(required=True)
    fixed = graphene.Boolean(
        required=True, description="Already under way (en route or on site): not re-planned."
    )
    approximate = graphene.Boolean(
        required=True, description="The site is a district centroid, not a geocoded point."
    )
    parts_short = graphene.Boolean(
        required=True,
        description=(
            "No engineer's van holds every part the job expects, so it was planned anyway: "
            "the parts must be fetched first. (When some van holds them, the job only goes "
            "to an engineer carrying them.)"
        ),
    )

    @staticmethod
    def resolve_parts_short(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return bool(root.get("parts_short", False))

    @staticmethod
    def resolve_job(root: dict[str, Any], info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Job, root["job_id"])

    @staticmethod
    def resolve_arrival_at(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return _when(root["arrival_at"])

    @staticmethod
    def resolve_service_start_at(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return _when(root["service_start_at"])

    @staticmethod
    def resolve_departure_at(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return _when(root["departure_at"])

    @staticmethod
    def resolve_travel_seconds(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return root["travel_seconds"]

    @staticmethod
    def resolve_distance_meters(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return root["distance_meters"]

    @staticmethod
    def resolve_waiting_seconds(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return root["waiting_seconds"]


class PlannedRoute(graphene.ObjectType):
    technician = graphene.Field("wellspring.schema.org.types.Technician")
    technician_name = graphene.String(required=True)
    start_source = graphene.Field(PositionSource, description="Where the day starts from.")
    stops = graphene.NonNull(graphene.List(graphene.NonNull(RouteStop)))
    lunch_start_at = graphene.Field(DateTime)
    lunch_after_position = graphene.Int(description="0 = before the first stop.")
    distance_meters = graphene.Int(required=True)
    duration_seconds = graphene.Int(required=True, description="From departure to last stop.")
    end_at = graphene.Field(DateTime, required=True, description="When the last stop ends.")

    @staticmethod
    def resolve_technician(root: dict[str, Any], info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Technician, root["technician_id"])

    @staticmethod
    async def resolve_technician_name(root: dict[str, Any], info: ResolveInfo) -> Any:
        tech = await info.context.loaders.unscoped(m.Technician, root["technician_id"])
        return await info.context.loaders.display_name(tech.user_id if tech else None) or ""

    @staticmethod
    def resolve_start_source(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return root.get("start_source") or None

    @staticmethod
    def resolve_stops(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return root["stops"]

    @staticmethod
    def resolve_lunch_start_at(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return _when(root.get("lunch_start_at"))

    @staticmethod
    def resolve_lunch_after_position(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return root.get("lunch_after_position")

    @staticmethod
    def resolve_distance_meters(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return root["distance_meters"]

    @staticmethod
    def resolve_duration_seconds(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return root["duration_seconds"]

    @staticmethod
    def resolve_end_at(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return _when(root["end_at"])


class UnplacedJob(graphene.ObjectType):
    """A job the plan could not place, and why (a code and a sentence in the user's language)."""

    job = graphene.Field("wellspring.schema.tickets.types.Job")
    reason = graphene.Field(UnplacedReason, required=True)
    message = graphene.String(required=True)

    @staticmethod
    def resolve_job(root: dict[str, Any], info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Job, root["job_id"])

    @staticmethod
    def resolve_reason(root: dict[str, Any], _info: ResolveInfo) -> Any:
        return root["reason"]

    @staticmethod
    def resolve_message(root: dict[str, Any], info: ResolveInfo) -> Any:
        return message(f"UNPLACED_{root['reason']}", info.context.locale)


class RoutePlan(ModelObjectType):
    """A branch's day as the solver planned it; APPLIED once its stops are on the jobs."""

    model = m.RoutePlan

    class Meta:
        interfaces = (Node,)

    branch = graphene.Field("wellspring.schema.org.types.Branch")
    day = Date(required=True)
    status = graphene.Field(RoutePlanStatus, required=True)
    routes = graphene.NonNull(graphene.List(graphene.NonNull(PlannedRoute)))
    unplaced = graphene.NonNull(graphene.List(graphene.NonNull(UnplacedJob)))
    distance_meters = graphene.Int(required=True)
    duration_seconds = graphene.Int(required=True)
    solve_ms = graphene.Int(required=True, description="Time the solver took.")
    created_at = graphene.Field(DateTime, required=True)
    applied_at = graphene.Field(DateTime)

    @staticmethod
    def resolve_branch(root: m.RoutePlan, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Branch, root.branch_id)

    @staticmethod
    def resolve_distance_meters(root: m.RoutePlan, _info: ResolveInfo) -> Any:
        return root.distance_m

    @staticmethod
    def resolve_duration_seconds(root: m.RoutePlan, _info: ResolveInfo) -> Any:
        return root.duration_s


class TechnicianPosition(graphene.ObjectType):
    """The phone's last reported position (WGS-84) and how old it is."""

    latitude = graphene.Float(required=True)
    longitude = graphene.Float(required=True)
    accuracy = graphene.Float(description="Metres, as the phone reported.")
    at = graphene.Field(DateTime, required=True)
    age_seconds = graphene.Int(required=True)
    fresh = graphene.Boolean(
        required=True, description="Recent enough to count; else the last site or home is used."
    )


def position_of(
    tech: m.Technician, now: dt.datetime, max_age: dt.timedelta
) -> TechnicianPosition | None:
    if tech.position_latitude is None or tech.position_longitude is None or not tech.position_at:
        return None
    age = now - tech.position_at
    return TechnicianPosition(
        latitude=tech.position_latitude,
        longitude=tech.position_longitude,
        accuracy=tech.position_accuracy,
        at=tech.position_at,
        age_seconds=max(0, int(age.total_seconds())),
        fresh=locate.phone_fix_is_fresh(tech, now, max_age),
    )


class RoutePlanPayload(graphene.ObjectType):
    plan = graphene.Field(RoutePlan)
    errors = errors_field(DispatchError)


class UpdateLocationPayload(graphene.ObjectType):
    position = graphene.Field(TechnicianPosition)
    etas_changed = graphene.NonNull(
        graphene.List(graphene.NonNull("wellspring.schema.tickets.types.Job")),
        description="Today's stops whose ETA this position moved.",
    )
    errors = errors_field(DispatchError)


class AddressPayload(graphene.ObjectType):
    address = graphene.Field("wellspring.schema.customers.types.Address")
    errors = errors_field(DispatchError)
