"""graphql-core's own errors (syntax, validation, variable coercion), told in our languages.

graphql-core writes its messages in English and, outside production, with "Did you mean"
hints. A person reads ours: each graphql-core message is matched to a reason, whose text
comes from ``wellspring.i18n.DETAILS`` with the names it quoted (names the client itself
wrote: fields, arguments, types, variables). The English original is kept in
``extensions.detail`` outside production only, as a developer's aid.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError

from wellspring.i18n import detail as detail_text
from wellspring.i18n import message

_NAME = r"'\$?(?P<{}>[_A-Za-z][_0-9A-Za-z.()!:\[\] ]*)'"


def _p(pattern: str) -> re.Pattern[str]:
    """A pattern whose ``{name}`` holes match a quoted GraphQL name."""
    for hole in re.findall(r"\{(\w+)\}", pattern):
        pattern = pattern.replace("{" + hole + "}", _NAME.format(hole))
    return re.compile(pattern)


# First match wins; the order puts the specific before the general.
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (_p(r"^Cannot query field {name} on type {type}"), "UNKNOWN_FIELD"),
    (_p(r"^Unknown argument {name} on (field|directive) {target}"), "UNKNOWN_ARGUMENT"),
    (_p(r"argument {name} of type {type} is required, but it was not provided"), "MISSING_ARG"),
    (_p(r"^Field {name} of required type {type} was not provided"), "MISSING_INPUT_FIELD"),
    (_p(r"^Field {name} is not defined by type {type}"), "UNKNOWN_INPUT_FIELD"),
    (_p(r"does not exist in {type} enum"), "UNKNOWN_ENUM_VALUE"),
    (_p(r"^Enum {type} cannot represent non-enum value"), "UNKNOWN_ENUM_VALUE"),
    (re.compile(r"^Int cannot represent non 32-bit signed integer"), "INT_OUT_OF_RANGE"),
    (re.compile(r"^(?P<type>Int|Float|String|Boolean|ID) cannot represent"), "WRONG_TYPE"),
    (_p(r"^Expected value of type {type}, found"), "WRONG_TYPE"),
    (_p(r"^Expected type {type}"), "WRONG_TYPE"),
    (re.compile(r"^not an ISO-8601 date-time|^DateTime must be"), "INVALID_DATETIME"),
    (re.compile(r"^(Date cannot represent|Received not compatible date)"), "INVALID_DATE"),
    (re.compile(r"^not a decimal number"), "INVALID_DECIMAL"),
    (re.compile(r"^out of range"), "DATE_OUT_OF_RANGE"),
    (
        _p(r"^Variable {name} of (required|non-null) type {type} (was not provided|must not)"),
        "MISSING_VARIABLE",
    ),
    (_p(r"^Variable {name} is not defined"), "UNDEFINED_VARIABLE"),
    (_p(r"^Variable {name} is never used"), "UNUSED_VARIABLE"),
    (_p(r"^Variable {name} of type {type} used in position expecting"), "VARIABLE_POSITION"),
    (_p(r"^Variable {name} cannot be non-input type"), "VARIABLE_POSITION"),
    (_p(r"^Unknown type {type}"), "UNKNOWN_TYPE"),
    (_p(r"^Unknown fragment {name}"), "UNKNOWN_FRAGMENT"),
    (_p(r"^Fragment {name} is never used"), "UNUSED_FRAGMENT"),
    (_p(r"^Cannot spread fragment {name} within itself"), "FRAGMENT_CYCLE"),
    (_p(r"^Field {name} of type {type} must have a selection of subfields"), "NEEDS_SELECTION"),
    (_p(r"^Field {name} must not have a selection"), "NO_SELECTION"),
    (re.compile(r"^There can be only one"), "DUPLICATE"),
    (re.compile(r"conflict because"), "FIELD_CONFLICT"),
    (re.compile(r"^Syntax Error"), "SYNTAX"),
]
_GOT_INVALID = re.compile(
    r"^Variable '\$(?P<variable>\w+)' got invalid value .*?(?: at '(?P<at>[^']+)')?; (?P<rest>.*)$",
    re.DOTALL,
)


def reason_of(text: str) -> tuple[str, dict[str, str]]:
    """The reason code of a graphql-core message and the names it quotes."""
    for pattern, reason in _REASONS:
        found = pattern.search(text)
        if found:
            return reason, {k: v for k, v in found.groupdict().items() if v is not None}
    return "OTHER", {}


def _where(error: GraphQLError, locale: str) -> str:
    if not error.locations:
        return ""
    first = error.locations[0]
    return detail_text("AT", locale, line=first.line, column=first.column)


def validation_error(
    error: GraphQLError, locale: str, *, production: bool, code: str = "GRAPHQL_VALIDATION_FAILED"
) -> GraphQLError:
    """A document's syntax or validation error, localized, with a code and a reason."""
    reason, names = reason_of(error.message)
    text = detail_text(reason, locale, **names) + _where(error, locale)
    extensions: dict[str, Any] = {"code": code, "reason": reason}
    if not production:
        extensions["detail"] = error.message
    return GraphQLError(message(code, locale, detail=text), error.nodes, extensions=extensions)


# graphql-core reads a field's arguments at execution, and refuses there what validation
# cannot see: a nullable variable sent as null for an argument typed ``T! = default`` (a
# position the spec allows because of the default). That is a field error without a code.
_ARGUMENT = re.compile(
    r"^Argument '(?P<name>[_A-Za-z][_0-9A-Za-z]*)' "
    r"(?:(?P<missing>of (?:required|non-null) type)|has invalid value)"
)


def argument_error(error: GraphQLError) -> tuple[str, str] | None:
    """The code (REQUIRED: null or not given; else INVALID_ARGUMENT) and the argument of a
    graphql-core execution error that refused an argument, if it is one."""
    found = _ARGUMENT.match(error.message)
    if found is None:
        return None
    return ("REQUIRED" if found["missing"] else "INVALID_ARGUMENT"), found["name"]


# graphql-core stops coercing variables at its 50th error and adds this one, which names no
# variable (it was answered as 51 INTERNAL_ERRORs, each logged).
_TOO_MANY = "Too many errors processing variables"
# Its reason (a detail of VARIABLE_INVALID, like those of ``reason_of``; no code of its own).
TOO_MANY_ERRORS = "TOO_MANY_ERRORS"


def is_variable_error(error: GraphQLError) -> bool:
    """graphql-core's variable coercion errors: raised before execution, without a path."""
    return error.path is None and (
        error.message.startswith("Variable '$") or error.message.startswith(_TOO_MANY)
    )


def variable_errors(
    errors: list[GraphQLError], locale: str, *, production: bool
) -> list[dict[str, Any]]:
    """Variables that did not fit their types (``is_variable_error``), as answered: one
    ``VARIABLE_INVALID`` each, and one more when graphql-core stopped counting them."""
    answered: list[dict[str, Any]] = []
    for error in errors:
        if error.message.startswith(_TOO_MANY):
            # Said of the variable being read when it stopped: the last one reported.
            variable = answered[-1]["extensions"]["variable"] if answered else ""
            answered.append(_too_many(error, variable, len(answered), locale, production))
        else:
            answered.append(variable_error(error, locale, production=production))
    return answered


def _too_many(
    error: GraphQLError, variable: str, counted: int, locale: str, production: bool
) -> dict[str, Any]:
    extensions: dict[str, Any] = {
        "code": "VARIABLE_INVALID",
        "reason": TOO_MANY_ERRORS,
        "variable": variable,
        "path": variable,
    }
    if not production:
        extensions["detail"] = error.message
    text = detail_text(TOO_MANY_ERRORS, locale, count=counted)
    return {
        "message": message("VARIABLE_INVALID", locale, variable=variable, detail=text),
        "locations": [loc.formatted for loc in error.locations or []],
        "extensions": extensions,
    }


def variable_error(error: GraphQLError, locale: str, *, production: bool) -> dict[str, Any]:
    """A variable that did not fit its type: ``VARIABLE_INVALID`` with the variable's path."""
    got = _GOT_INVALID.match(error.message)
    extensions: dict[str, Any] = {"code": "VARIABLE_INVALID"}
    if got:
        reason, names = reason_of(got["rest"])
        variable = got["variable"]
        path = got["at"] or variable
    else:
        reason, names = reason_of(error.message)
        variable = names.get("name", "")
        path = variable
    extensions.update(reason=reason, variable=variable, path=path)
    if not production:
        extensions["detail"] = error.message
    text = detail_text(reason, locale, **names)
    return {
        "message": message("VARIABLE_INVALID", locale, variable=variable, detail=text),
        "locations": [loc.formatted for loc in error.locations or []],
        "extensions": extensions,
    }
