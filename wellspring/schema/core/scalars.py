"""Scalars: times shown in Asia/Shanghai with their offset, money as Decimal strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

import graphene
from graphql import GraphQLError
from graphql.language import ast

from wellspring.domain import bounds
from wellspring.domain.config import TIME_ZONE


class DateTime(graphene.Scalar):
    """An ISO-8601 instant. Output carries the Asia/Shanghai offset (+08:00); input without an
    offset is read as Asia/Shanghai local time. Stored in UTC."""

    @staticmethod
    def serialize(value: dt.datetime) -> str:
        return value.astimezone(TIME_ZONE).isoformat()

    @classmethod
    def parse_literal(cls, node, _variables=None):
        if isinstance(node, ast.StringValueNode):
            return cls.parse_value(node.value)
        raise GraphQLError("DateTime must be an ISO-8601 string")

    @staticmethod
    def parse_value(value: str) -> dt.datetime:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except (TypeError, ValueError) as exc:
            raise GraphQLError(f"not an ISO-8601 date-time: {value!r}") from exc
        _check_range(parsed.date())
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=TIME_ZONE)
        return parsed.astimezone(dt.UTC)


class Date(graphene.Date):
    """An ISO-8601 calendar date (YYYY-MM-DD), between 1970-01-01 and 2199-12-31 on input."""

    @staticmethod
    def parse_value(value):
        parsed = graphene.Date.parse_value(value)
        _check_range(parsed)
        return parsed


def _check_range(day: dt.date) -> None:
    # Message matched by wellspring.api.graphql_messages (reason DATE_OUT_OF_RANGE).
    if not bounds.day_in_range(day):
        raise GraphQLError(f"out of range: {day.isoformat()}")


class Money(graphene.ObjectType):
    """An amount of money: ``amount`` is a decimal string (never a float), with its currency."""

    amount = graphene.String(required=True)
    currency = graphene.String(required=True)


def money(amount: Decimal | None, currency: str) -> Money | None:
    if amount is None:
        return None
    return Money(amount=f"{amount:.2f}", currency=currency)


def parse_decimal(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise GraphQLError(f"not a decimal number: {value!r}") from exc
