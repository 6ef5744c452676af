"""UpsertBranch, UpsertTechnician, CreateUser, UpdateUser, DeactivateUser, ResetPassword."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain.masterdata import branches, technicians, users
from wellspring.domain.models import enums as e

from ..core import enums
from ..core.context import require_actor
from ..core.errors import MasterdataError, errors_field
from ..core.ids import parse_global_id
from ..org.types import Branch, Technician, User
from .common import optional_id, payload


class BranchInput(graphene.InputObjectType):
    """Without `id` a new branch or office (code and name required); with it, an edit of the
    fields given. HQ and admins only."""

    id = graphene.ID()
    code = graphene.String(description="Short code, e.g. SH; unique.")
    name = graphene.String(description="Chinese name, e.g. 上海分公司.")
    name_en = graphene.String()
    kind = graphene.Field(enums.BranchKind, description="BRANCH (default) or OFFICE.")
    parent_id = graphene.ID(description="The branch (or HQ) an office reports to.")
    province = graphene.String()
    city = graphene.String()
    address = graphene.String()
    phone = graphene.String()
    latitude = graphene.Float(description="WGS-84; give both or neither.")
    longitude = graphene.Float(description="WGS-84; give both or neither.")
    is_active = graphene.Boolean(description="false deactivates (nothing is deleted).")


class UpsertBranchPayload(graphene.ObjectType):
    branch = graphene.Field(Branch)
    errors = errors_field(MasterdataError)


class UpsertBranch(graphene.Mutation):
    """Create or edit a branch (分公司) or regional office (办事处)."""

    class Arguments:
        input = BranchInput(required=True)

    Output = UpsertBranchPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            change = branches.BranchChange(
                id=optional_id(input.get("id"), "Branch", "id"),
                code=input.get("code"),
                name=input.get("name"),
                name_en=input.get("name_en"),
                kind=e.BranchKind(input.kind) if input.get("kind") else None,
                parent_id=optional_id(input.get("parent_id"), "Branch", "parentId"),
                province=input.get("province"),
                city=input.get("city"),
                address=input.get("address"),
                phone=input.get("phone"),
                latitude=input.get("latitude"),
                longitude=input.get("longitude"),
                is_active=input.get("is_active"),
            )
            return await branches.upsert_branch(info.context.session, actor, change=change)

        return await payload(info, UpsertBranchPayload, "branch", run)


class TechnicianInput(graphene.InputObjectType):
    """Without `id` a new engineer with a new login (username, password, branch required) and
    a van warehouse; with it, an edit of the fields given. HQ and admins for every branch, a
    branch clerk for their own branch's engineers."""

    id = graphene.ID()
    username = graphene.String(description="New engineers: the login name.")
    password = graphene.String(description="New engineers: at least 8 characters.")
    display_name = graphene.String()
    phone = graphene.String()
    branch_id = graphene.ID()
    skills = graphene.List(
        graphene.NonNull(enums.TicketType), description="Ticket types they can do (all if new)."
    )
    shift_start = graphene.String(description="Local time HH:MM (Asia/Shanghai).")
    shift_end = graphene.String(description="Local time HH:MM (Asia/Shanghai).")
    work_days = graphene.List(graphene.NonNull(graphene.Int), description="ISO, 1 = Monday.")
    home_latitude = graphene.Float(description="WGS-84 home base; give both or neither.")
    home_longitude = graphene.Float()
    is_active = graphene.Boolean(description="false takes them off dispatch (no open jobs).")
    agent_id = graphene.ID(description="An agent's own engineer: the agent that dispatches them.")


class UpsertTechnicianPayload(graphene.ObjectType):
    technician = graphene.Field(Technician)
    errors = errors_field(MasterdataError)


class UpsertTechnician(graphene.Mutation):
    """Create or edit an engineer: skills, shift, home base; a new one gets a login and a van."""

    class Arguments:
        input = TechnicianInput(required=True)

    Output = UpsertTechnicianPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            skills = input.get("skills")
            change = technicians.TechnicianChange(
                id=optional_id(input.get("id"), "Technician", "id"),
                username=input.get("username"),
                password=input.get("password"),
                display_name=input.get("display_name"),
                phone=input.get("phone"),
                branch_id=optional_id(input.get("branch_id"), "Branch", "branchId"),
                skills=[e.TicketType(s) for s in skills[:20]] if skills is not None else None,
                shift_start=input.get("shift_start"),
                shift_end=input.get("shift_end"),
                work_days=input.get("work_days"),
                home_latitude=input.get("home_latitude"),
                home_longitude=input.get("home_longitude"),
                is_active=input.get("is_active"),
                agent_id=optional_id(input.get("agent_id"), "Agent", "agentId"),
            )
            return await technicians.upsert_technician(info.context.session, actor, change=change)

        return await payload(info, UpsertTechnicianPayload, "technician", run)


class UserPayload(graphene.ObjectType):
    user = graphene.Field(User)
    errors = errors_field(MasterdataError)


class CreateUserInput(graphene.InputObjectType):
    username = graphene.String(required=True)
    password = graphene.String(required=True, description="At least 8 characters.")
    role = graphene.Field(enums.Role, required=True)
    display_name = graphene.String()
    branch_id = graphene.ID(description="Clerks, sales and engineers need one.")
    agent_id = graphene.ID(description="Agent logins: the dealer.")
    customer_id = graphene.ID(description="Customer logins: the customer.")
    phone = graphene.String()


class CreateUserPayload(UserPayload):
    """The user, as CreateUser left it."""


class CreateUser(graphene.Mutation):
    """Admins: a new login. An engineer login also gets its engineer record and van."""

    class Arguments:
        input = CreateUserInput(required=True)

    Output = CreateUserPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            login = users.NewLogin(
                username=input.username,
                password=input.password,
                role=e.Role(input.role),
                display_name=input.get("display_name") or "",
                branch_id=optional_id(input.get("branch_id"), "Branch", "branchId"),
                agent_id=optional_id(input.get("agent_id"), "Agent", "agentId"),
                customer_id=optional_id(input.get("customer_id"), "Customer", "customerId"),
                phone=input.get("phone") or "",
            )
            return await users.create_login(info.context.session, actor, login=login)

        return await payload(info, CreateUserPayload, "user", run)


class UpdateUserInput(graphene.InputObjectType):
    id = graphene.ID(required=True)
    role = graphene.Field(enums.Role)
    branch_id = graphene.ID()
    display_name = graphene.String()
    phone = graphene.String()
    locale = graphene.String(
        description="The user's language, as any platform writes a locale (`zh-CN`, `en-US`, "
        "`zh_CN`, `zh-Hans-CN` ...): stored as zh-CN or en; another language (or blank) keeps "
        "the user's. Text that is no locale is INVALID_LOCALE."
    )
    is_active = graphene.Boolean(description="true reactivates a deactivated login.")


class UpdateUserPayload(UserPayload):
    """The user, as UpdateUser left it."""


class UpdateUser(graphene.Mutation):
    """Admins: change a login's role, branch, display name, phone or language."""

    class Arguments:
        input = UpdateUserInput(required=True)

    Output = UpdateUserPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            change = users.UserChange(
                id=parse_global_id(input.id, "User"),
                role=e.Role(input.role) if input.get("role") else None,
                branch_id=optional_id(input.get("branch_id"), "Branch", "branchId"),
                display_name=input.get("display_name"),
                phone=input.get("phone"),
                locale=input.get("locale"),
                is_active=input.get("is_active"),
            )
            return await users.update_user(info.context.session, actor, change=change)

        return await payload(info, UpdateUserPayload, "user", run)


class DeactivateUserInput(graphene.InputObjectType):
    id = graphene.ID(required=True)


class DeactivateUserPayload(UserPayload):
    """The user, as DeactivateUser left it."""


class DeactivateUser(graphene.Mutation):
    """Admins: the login can no longer sign in, and its sessions end now."""

    class Arguments:
        input = DeactivateUserInput(required=True)

    Output = DeactivateUserPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            user_id = parse_global_id(input.id, "User")
            return await users.deactivate_user(info.context.session, actor, user_id=user_id)

        return await payload(info, DeactivateUserPayload, "user", run)


class ResetPasswordInput(graphene.InputObjectType):
    id = graphene.ID(required=True)
    password = graphene.String(required=True, description="At least 8 characters.")


class ResetPasswordPayload(UserPayload):
    """The user, as ResetPassword left it."""


class ResetPassword(graphene.Mutation):
    """Admins: set a new password; the login's sessions end, so it signs in again."""

    class Arguments:
        input = ResetPasswordInput(required=True)

    Output = ResetPasswordPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            return await users.reset_password(
                info.context.session,
                actor,
                user_id=parse_global_id(input.id, "User"),
                password=input.password,
            )

        return await payload(info, ResetPasswordPayload, "user", run)
