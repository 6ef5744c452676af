"""Users, branches, agents and engineers."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.config import config_of
from wellspring.domain.dispatch import board

from ..core import enums
from ..core.node import ModelObjectType, Node
from ..core.related import LATER, Computed, Related
from ..core.scalars import Date, DateTime, Money, money


class Branch(ModelObjectType):
    """HQ, a city branch (分公司) or a regional office (办事处)."""

    model = m.Branch

    class Meta:
        interfaces = (Node,)

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    name_en = graphene.String(required=True)
    kind = graphene.Field(enums.BranchKind, required=True)
    province = graphene.String(required=True)
    city = graphene.String(required=True)
    address = graphene.String(required=True)
    phone = graphene.String(required=True)
    latitude = graphene.Float()
    longitude = graphene.Float()
    parent = graphene.Field(lambda: Branch)
    is_active = graphene.Boolean(required=True)

    @staticmethod
    def resolve_parent(root: m.Branch, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Branch, root.parent_id)


class User(ModelObjectType):
    """A login: staff, an engineer, an agent or a customer."""

    model = m.User

    class Meta:
        interfaces = (Node,)

    username = graphene.String(required=True)
    display_name = graphene.String(required=True)
    role = graphene.Field(enums.Role, required=True)
    roles = graphene.NonNull(graphene.List(graphene.NonNull(enums.Role)))
    branch = graphene.Field(Branch)
    phone = graphene.String(required=True)
    locale = graphene.String(required=True)
    is_active = graphene.Boolean(required=True)

    @staticmethod
    def resolve_roles(root: m.User, _info: ResolveInfo) -> Any:
        return [root.role]

    @staticmethod
    def resolve_branch(root: m.User, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Branch, root.branch_id)


class TerritoryArea(graphene.ObjectType):
    """A city, or one district of it (an empty district is the whole city)."""

    province = graphene.String(required=True)
    city = graphene.String(required=True)
    district = graphene.String(required=True)


class Agent(ModelObjectType):
    """A dealer (代理商)."""

    model = m.Agent

    class Meta:
        interfaces = (Node,)

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    level = graphene.Field(enums.AgentLevel, required=True)
    territory = graphene.String(required=True, description="The territory in words.")
    credit_limit = graphene.Field(Money, required=True)
    contact_name = graphene.String(required=True)
    contact_phone = graphene.String(required=True)
    branch = graphene.Field(Branch)
    # issue 18: dealers as tenants
    parent_agent = graphene.Field(
        lambda: Agent, description="A sub-distributor's city general agent."
    )
    territory_areas = graphene.NonNull(
        graphene.List(graphene.NonNull(lambda: TerritoryArea)),
        description="The cities (or districts) it sells and services in.",
    )
    contract_number = graphene.String(required=True)
    contract_start = Date()
    contract_end = Date()
    deposit = graphene.Field(Money, required=True, description="保证金 held by HQ.")
    contact_email = graphene.String(required=True)
    address = graphene.String(required=True)
    is_active = graphene.Boolean(required=True)

    @staticmethod
    def resolve_credit_limit(root: m.Agent, _info: ResolveInfo) -> Any:
        return money(root.credit_limit, root.currency)

    @staticmethod
    def resolve_deposit(root: m.Agent, _info: ResolveInfo) -> Any:
        return money(root.deposit, root.currency)

    @staticmethod
    def resolve_parent_agent(root: m.Agent, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Agent, root.parent_agent_id)

    @staticmethod
    def resolve_territory_areas(root: m.Agent, _info: ResolveInfo) -> Any:
        return [TerritoryArea(**area) for area in root.territory_areas or []]

    @staticmethod
    def resolve_branch(root: m.Agent, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Branch, root.branch_id)


def _of_day(day: Any, part: str) -> Any:
    """A part of an engineer's day: at once when the page read the day, else awaited."""
    if isinstance(day, board.TechnicianDay):
        return getattr(day, part)

    async def awaited() -> Any:
        return getattr(await day, part)

    return awaited()


def _day_part_known(technician: m.Technician, context: Any, part: str) -> Any:
    """A part of an engineer's day when this request read it (their page), else LATER."""
    day = context.loaders.technician_day_known(technician)
    return day if day is LATER else getattr(day, part)


class Technician(ModelObjectType):
    """An engineer: skills, home base and shift hours (Asia/Shanghai)."""

    model = m.Technician

    class Meta:
        interfaces = (Node,)

    user = graphene.Field(User)
    display_name = graphene.String(required=True)
    branch = graphene.Field(Branch)
    agent = graphene.Field(Agent, description="The agent an agent's own engineer works for.")
    skills = graphene.NonNull(graphene.List(graphene.NonNull(enums.TicketType)))
    home_latitude = graphene.Float()
    home_longitude = graphene.Float()
    shift_start = graphene.String(required=True, description="Local time HH:MM.")
    shift_end = graphene.String(required=True, description="Local time HH:MM.")
    work_days = graphene.NonNull(
        graphene.List(graphene.NonNull(graphene.Int)), description="ISO weekdays, 1 = Monday."
    )
    position = graphene.Field(
        "wellspring.schema.dispatch.types.TechnicianPosition",
        description="The phone's last reported position.",
    )
    is_active = graphene.Boolean(required=True)
    status_today = graphene.Field(
        enums.TechnicianDayStatus, required=True, description="Where they are in their day, now."
    )
    jobs_today = graphene.NonNull(
        graphene.List(graphene.NonNull("wellspring.schema.tickets.types.Job")),
        description="Jobs appointed or routed today (Asia/Shanghai), in visiting order.",
    )
    van = graphene.Field(
        "wellspring.schema.inventory.types.Warehouse", description="The engineer's van."
    )

    # At once on the short path when the page read the engineers' days; else read by the
    # day's loader on the ordinary path.
    resolve_status_today = Computed(
        lambda root, context: _day_part_known(root, context, "status"),
        later=lambda root, info: _of_day(
            info.context.loaders.technician_day(root, info.context.now), "status"
        ),
    )

    @staticmethod
    def resolve_jobs_today(root: m.Technician, info: ResolveInfo) -> Any:
        day = info.context.loaders.technician_day_now(root, info.context.now)
        return _of_day(day, "jobs_today")

    @staticmethod
    async def resolve_van(root: m.Technician, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(m.Warehouse, m.Warehouse.technician_id)
        vans = await loader.load(root.id)
        return vans[0] if vans else None

    @staticmethod
    def resolve_user(root: m.Technician, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.User, root.user_id)

    # Known at once when this request read it (SuggestTechnicians, a page's people): then
    # answered on the short path; else read by the DataLoader on the ordinary one.
    resolve_display_name = Computed(
        lambda root, context: context.loaders.display_name_known(root.user_id),
        later=lambda root, info: info.context.loaders.display_name(root.user_id),
        columns=("user_id",),
    )

    resolve_branch = Related(m.Branch, "branch_id")
    resolve_agent = Related(m.Agent, "agent_id")

    # Read from the row alone: completed on the short path (``plain_fields.py``).
    resolve_skills = Computed(lambda root, _context: root.known_skills, columns=("skills",))
    resolve_shift_start = Computed(
        lambda root, _context: root.shift_start.strftime("%H:%M"), columns=("shift_start",)
    )
    resolve_shift_end = Computed(
        lambda root, _context: root.shift_end.strftime("%H:%M"), columns=("shift_end",)
    )

    @staticmethod
    def resolve_work_days(root: m.Technician, _info: ResolveInfo) -> Any:
        return list(root.work_days or [])

    @staticmethod
    def resolve_position(root: m.Technician, info: ResolveInfo) -> Any:
        from ..dispatch.types import position_of

        ctx = info.context
        return position_of(root, ctx.now, config_of(ctx.session).dispatch.position_max_age)


class AuthSession(ModelObjectType):
    """A login session (admins see every one: who is online)."""

    model = m.AuthSession

    class Meta:
        interfaces = (Node,)

    user = graphene.Field(User)
    created_at = graphene.Field(DateTime, required=True)
    last_seen_at = graphene.Field(DateTime, required=True)
    expires_at = graphene.Field(DateTime, required=True)
    revoked_at = graphene.Field(DateTime)
    ip_address = graphene.String(required=True)
    user_agent = graphene.String(required=True)

    @staticmethod
    def resolve_user(root: m.AuthSession, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.User, root.user_id)
