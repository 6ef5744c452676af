"""Login, RefreshToken, Logout and RevokeSession: thin calls into ``domain.auth``."""

from __future__ import annotations

import graphene

from wellspring.domain import auth, login_throttle
from wellspring.domain.errors import DomainError

from ..core.context import RequestContext, require_actor
from ..core.dataloaders import Loaders
from ..core.errors import user_errors
from ..core.ids import parse_global_id
from ..core.mutation import Failed, run_in_savepoint
from .types import (
    LoginPayload,
    LogoutPayload,
    RefreshTokenPayload,
    RevokeSessionPayload,
    UnlockUserInput,
    UnlockUserPayload,
)


class Login(graphene.Mutation):
    """Sign in with username and password."""

    class Arguments:
        username = graphene.String(required=True)
        password = graphene.String(required=True)

    Output = LoginPayload

    @staticmethod
    async def mutate(_root, info, username: str, password: str):
        ctx: RequestContext = info.context
        try:
            # No savepoint: a failed attempt must still count against the throttle.
            tokens = await auth.login(
                ctx.session,
                config=ctx.auth,
                username=username,
                password=password,
                ip_address=ctx.client_ip,
                user_agent=ctx.user_agent,
            )
        except DomainError as error:
            return LoginPayload(errors=user_errors(error, ctx.locale))
        # The payload's fields (user { branch ... }) resolve as the new session: without it
        # they failed for want of an actor, and that failure rolled the new session back.
        ctx.actor = await auth.authenticate(ctx.session, config=ctx.auth, token=tokens.access_token)
        ctx.loaders = Loaders(ctx.session, ctx.actor)
        return LoginPayload(
            token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=tokens.access_expires_at,
            user=tokens.user,
            errors=[],
        )


class RefreshToken(graphene.Mutation):
    """A new access token (and the next refresh token) for a refresh token."""

    class Arguments:
        refresh_token = graphene.String(required=True)

    Output = RefreshTokenPayload

    @staticmethod
    async def mutate(_root, info, refresh_token: str):
        ctx: RequestContext = info.context
        try:
            # No savepoint: a reused token's revocation must stand although the call fails.
            result = await auth.refresh(ctx.session, config=ctx.auth, refresh_token=refresh_token)
        except DomainError as error:
            return RefreshTokenPayload(errors=user_errors(error, ctx.locale))
        return RefreshTokenPayload(
            token=result.access_token,
            refresh_token=result.refresh_token,
            expires_at=result.access_expires_at,
            errors=[],
        )


class Logout(graphene.Mutation):
    """Revoke the current session."""

    Output = LogoutPayload

    @staticmethod
    async def mutate(_root, info):
        ctx: RequestContext = info.context
        actor = require_actor(info)
        await auth.logout(ctx.session, actor)
        return LogoutPayload(ok=True, errors=[])


class RevokeSession(graphene.Mutation):
    """Admins: force a session out; it fails on its next request."""

    class Arguments:
        id = graphene.ID(required=True)

    Output = RevokeSessionPayload

    @staticmethod
    async def mutate(_root, info, id: str):
        ctx: RequestContext = info.context
        actor = require_actor(info)

        async def revoke():
            session_id = parse_global_id(id, "AuthSession")
            return await auth.revoke_session(ctx.session, actor, session_id=session_id)

        result = await run_in_savepoint(ctx, revoke)
        if isinstance(result, Failed):
            return RevokeSessionPayload(errors=result)
        return RevokeSessionPayload(session=result, errors=[])


class UnlockUser(graphene.Mutation):
    """Admins: lift a user's login lockout (audited)."""

    class Arguments:
        input = UnlockUserInput(required=True)

    Output = UnlockUserPayload

    @staticmethod
    async def mutate(_root, info, input):
        ctx: RequestContext = info.context
        actor = require_actor(info)

        async def unlock():
            user_id = parse_global_id(input["user_id"], "User", field="userId")
            return await login_throttle.unlock_user(ctx.session, actor, user_id=user_id)

        result = await run_in_savepoint(ctx, unlock)
        if isinstance(result, Failed):
            return UnlockUserPayload(errors=result)
        return UnlockUserPayload(user=result, errors=[])


__all__ = ["Login", "Logout", "RefreshToken", "RevokeSession", "UnlockUser", "user_errors"]
