"""Sign-in payloads."""

from __future__ import annotations

import graphene

from ..core.errors import AuthError, errors_field
from ..core.mutation import OLD_NAME
from ..core.scalars import DateTime
from ..org.types import AuthSession, User


class LoginPayload(graphene.ObjectType):
    token = graphene.String(description="The access token: send it as `Authorization: Bearer`.")
    refresh_token = graphene.String(
        description="Exchange it with RefreshToken when `token` expires."
    )
    expires_at = graphene.Field(DateTime, description="When `token` expires.")
    user = graphene.Field(User)
    errors = errors_field(AuthError)


class RefreshTokenPayload(graphene.ObjectType):
    token = graphene.String()
    refresh_token = graphene.String(description="The next refresh token (the old one is spent).")
    expires_at = graphene.Field(DateTime)
    errors = errors_field(AuthError)


class LogoutPayload(graphene.ObjectType):
    ok = graphene.Boolean(required=True)
    errors = errors_field(AuthError)


class RevokeSessionPayload(graphene.ObjectType):
    session = graphene.Field(AuthSession)
    errors = errors_field(AuthError)


class LoginInput(graphene.InputObjectType):
    username = graphene.String(required=True)
    password = graphene.String(required=True)


class RefreshTokenInput(graphene.InputObjectType):
    refresh_token = graphene.String(required=True, description="The last refresh token given.")


class RevokeSessionInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="The AuthSession.")


class UnlockUserInput(graphene.InputObjectType):
    """The user whose login lockout to lift; give `id` (or, for one release, `userId`)."""

    id = graphene.ID(description="The User.")
    user_id = graphene.ID(deprecation_reason=OLD_NAME)


class UnlockUserPayload(graphene.ObjectType):
    user = graphene.Field(User)
    errors = errors_field(AuthError)
