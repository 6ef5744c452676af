"""Payload errors: ``{field, code, message}``, with the message in the request's language."""

from __future__ import annotations

import graphene

from wellspring.domain.errors import DomainError
from wellspring.i18n import message

from .enums import ErrorCode


class UserError(graphene.ObjectType):
    """An expected failure of a mutation. ``field`` names the input at fault, if one is."""

    field = graphene.String()
    code = graphene.Field(ErrorCode, required=True)
    message = graphene.String(required=True)


def user_errors(error: DomainError, locale: str) -> list[UserError]:
    return [
        UserError(
            field=error.field,
            code=error.code,
            message=message(error.code, locale, field=error.field or "", **error.params),
        )
    ]


def errors_field() -> graphene.NonNull:
    return graphene.NonNull(graphene.List(graphene.NonNull(UserError)))
