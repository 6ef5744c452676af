"""Scalars: times shown in Asia/Shanghai with their offset, money as Decimal strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as PyDecimal
from decimal import InvalidOperation
from typing import Any

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
        try:
            return value.astimezone(TIME_ZONE).isoformat()
        except OverflowError:  # within hours of year 10000 (a row from before the bounds)
            return value.astimezone(dt.UTC).isoformat()

    @classmethod
    def parse_literal(cls, node: Any, _variables: Any = None) -> Any:
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
    def parse_value(value: Any) -> Any:
        parsed = graphene.Date.parse_value(value)
        _check_range(parsed)
        return parsed


def _check_range(day: dt.date) -> None:
    # Message matched by wellspring.api.graphql_messages (reason DATE_OUT_OF_RANGE).
    if not bounds.day_in_range(day):
        raise GraphQLError(f"out of range: {day.isoformat()}")


# A report's total over many rows (parts consumed, stock held, buckets sold) may pass GraphQL's
# 32-bit Int even though each row's quantity is bounded (domain/bounds.py): it is a BigInt, a
# JSON integer of any size (exact in JavaScript up to 2^53).
TOTAL = "A total over many rows: a whole number that may pass 32 bits (BigInt)."

# Money columns are NUMERIC(12, 2) (domain/models/base.py): under 10^10.
MAX_WHOLE_DIGITS = 10
MAX_DIGITS = 18


class Decimal(graphene.Scalar):
    """An exact decimal number, written as a string ("1280.00"; never a float). Input also
    takes an integer. Every Decimal input is an amount of money, so what a money column
    cannot hold is refused: NaN, infinities, 10 digits or more before the point, more than
    18 digits in all. A fraction of a fen is the domain's to refuse (``AMOUNT_PRECISION``,
    ``domain/bounds.check_cents``), with the field, as a payload error."""

    @staticmethod
    def serialize(value: PyDecimal | str) -> str:
        return str(value)

    @classmethod
    def parse_literal(cls, node: ast.ValueNode, _variables: object = None) -> PyDecimal:
        if isinstance(node, ast.StringValueNode | ast.IntValueNode):
            return cls.parse_value(node.value)
        raise GraphQLError('not a decimal number: give a string such as "12.50"')

    @staticmethod
    def parse_value(value: object) -> PyDecimal:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise GraphQLError(f"not a decimal number: {value!r}")
        parsed = parse_decimal(str(value).strip())
        if (
            not parsed.is_finite()
            or len(parsed.as_tuple().digits) > MAX_DIGITS
            or parsed.adjusted() >= MAX_WHOLE_DIGITS
            or parsed.adjusted() < -MAX_DIGITS
        ):
            raise GraphQLError(f"not a decimal number: {value!r}")
        return parsed


class Money(graphene.ObjectType):
    """An amount of money: ``amount`` is a Decimal (a string, never a float), with its
    currency."""

    amount = Decimal(required=True)
    currency = graphene.String(required=True)


def money(amount: PyDecimal | None, currency: str) -> Money | None:
    if amount is None:
        return None
    return Money(amount=f"{amount:.2f}", currency=currency)


def parse_decimal(value: str) -> PyDecimal:
    try:
        return PyDecimal(value)
    except InvalidOperation as exc:
        raise GraphQLError(f"not a decimal number: {value!r}") from exc
