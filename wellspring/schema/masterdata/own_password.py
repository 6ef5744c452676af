"""ChangePassword: any signed-in user sets their own password, knowing the current one."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import passwords
from wellspring.domain.errors import DomainError

from ..core.context import RequestContext, require_actor
from ..core.errors import MasterdataError, errors_field, user_errors
from ..org.types import User


class ChangePasswordInput(graphene.InputObjectType):
    current_password = graphene.String(required=True, description="The password in use now.")
    new_password = graphene.String(required=True, description="At least 8 characters.")


class ChangePasswordPayload(graphene.ObjectType):
    user = graphene.Field(User, description="The signed-in user, with the new password set.")
    errors = errors_field(MasterdataError)


class ChangePassword(graphene.Mutation):
    """Change your own password. A wrong current password (WRONG_PASSWORD) counts toward
    this user's own password-change throttle (TOO_MANY_WRONG_PASSWORDS after 5), never toward
    the sign-in's; on success your other sessions end and this one goes on."""

    class Arguments:
        input = ChangePasswordInput(required=True)

    Output = ChangePasswordPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> ChangePasswordPayload:
        ctx: RequestContext = info.context
        actor = require_actor(info)
        try:
            # No savepoint (as Login): a wrong current password must still count against
            # its throttle; every other refusal comes before anything is written.
            user = await passwords.change_own_password(
                ctx.session,
                actor,
                current_password=input.current_password,
                new_password=input.new_password,
                limits=ctx.auth.throttle,
                ip_address=ctx.client_ip,
            )
        except DomainError as error:
            return ChangePasswordPayload(errors=user_errors(error, ctx.locale))
        return ChangePasswordPayload(user=user, errors=[])
