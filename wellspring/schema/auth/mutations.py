"""Login, RefreshToken, Logout and RevokeSession: thin calls into ``domain.auth``."""

from __future__ import annotations

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import auth, login_throttle
from wellspring.domain import models as m
from wellspring.domain.errors import DomainError

from ..core.context import RequestContext, require_actor
from ..core.dataloaders import Loaders
from ..core.errors import user_errors
from ..core.ids import parse_global_id
from ..core.mutation import OLD_SHAPE, Failed, one_shape, renamed_id, required, run_in_savepoint
from .types import (
    LoginInput,
    LoginPayload,
    LogoutPayload,
    RefreshTokenInput,
    RefreshTokenPayload,
    RevokeSessionInput,
    RevokeSessionPayload,
    UnlockUserInput,
    UnlockUserPayload,
)


class Login(graphene.Mutation):
    """Sign in with username and password."""

    class Arguments:
        input = LoginInput()
        username = graphene.String(deprecation_reason=OLD_SHAPE)
        password = graphene.String(deprecation_reason=OLD_SHAPE)

    Output = LoginPayload

    @staticmethod
    async def mutate(
        _root: object,
        info: ResolveInfo,
        input: LoginInput | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> LoginPayload:
        ctx: RequestContext = info.context
        given = one_shape(input, username=username, password=password)
        try:
            # No savepoint: a failed attempt must still count against the throttle.
            tokens = await auth.login(
                ctx.session,
                config=ctx.auth,
                username=required(given, "username"),
                password=required(given, "password"),
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
        input = RefreshTokenInput()
        refresh_token = graphene.String(deprecation_reason=OLD_SHAPE)

    Output = RefreshTokenPayload

    @staticmethod
    async def mutate(
        _root: object,
        info: ResolveInfo,
        input: RefreshTokenInput | None = None,
        refresh_token: str | None = None,
    ) -> RefreshTokenPayload:
        ctx: RequestContext = info.context
        given = one_shape(input, refresh_token=refresh_token)
        try:
            # No savepoint: a reused token's revocation must stand although the call fails.
            result = await auth.refresh(
                ctx.session,
                config=ctx.auth,
                refresh_token=required(given, "refresh_token", "refreshToken"),
            )
        except DomainError as error:
            return RefreshTokenPayload(errors=user_errors(error, ctx.locale))
        return RefreshTokenPayload(
            token=result.access_token,
            refresh_token=result.refresh_token,
            expires_at=result.access_expires_at,
            errors=[],
        )


class Logout(graphene.Mutation):
    """Revoke the current session. The one mutation without an input: it has nothing to say
    beyond the bearer token."""

    Output = LogoutPayload

    @staticmethod
    async def mutate(_root: object, info: ResolveInfo) -> LogoutPayload:
        ctx: RequestContext = info.context
        actor = require_actor(info)
        await auth.logout(ctx.session, actor)
        return LogoutPayload(ok=True, errors=[])


class RevokeSession(graphene.Mutation):
    """Admins: force a session out; it fails on its next request."""

    class Arguments:
        input = RevokeSessionInput()
        id = graphene.ID(deprecation_reason=OLD_SHAPE)

    Output = RevokeSessionPayload

    @staticmethod
    async def mutate(
        _root: object,
        info: ResolveInfo,
        input: RevokeSessionInput | None = None,
        id: str | None = None,
    ) -> RevokeSessionPayload:
        ctx: RequestContext = info.context
        actor = require_actor(info)
        given = one_shape(input, id=id)

        async def revoke() -> m.AuthSession:
            session_id = parse_global_id(required(given, "id"), "AuthSession")
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
    async def mutate(_root: object, info: ResolveInfo, input: UnlockUserInput) -> UnlockUserPayload:
        ctx: RequestContext = info.context
        actor = require_actor(info)

        async def unlock() -> m.User:
            user_id = parse_global_id(renamed_id(input, "user_id", "userId"), "User", field="id")
            return await login_throttle.unlock_user(ctx.session, actor, user_id=user_id)

        result = await run_in_savepoint(ctx, unlock)
        if isinstance(result, Failed):
            return UnlockUserPayload(errors=result)
        return UnlockUserPayload(user=result, errors=[])


__all__ = ["Login", "Logout", "RefreshToken", "RevokeSession", "UnlockUser", "user_errors"]
