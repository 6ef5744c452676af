"""What no input may hold, checked where it enters: NUL characters and deep JSON nesting.

PostgreSQL refuses a NUL (U+0000) in text, so a NUL in any string argument or variable is
refused before execution with ``INVALID_CHARACTER`` and the path of the value, never
stripped: a silently changed value would be stored as something the client did not send.
Variables nest at most ``MAX_VARIABLE_DEPTH`` levels (no input of the schema nests deeper
than five); JSON too deep to decode at all is refused by the endpoint the same way.
"""

from __future__ import annotations

from typing import Any

from graphql import ASTValidationRule, GraphQLError, StringValueNode

from wellspring.i18n import message

MAX_VARIABLE_DEPTH = 12
NUL = "\x00"


class TooDeep(Exception):
    pass


def nul_path(variables: dict[str, Any]) -> str | None:
    """The path (``input.lines.0.note``) of the first key or string holding a NUL, or None.

    Iterative, and bounded by ``MAX_VARIABLE_DEPTH``: raises ``TooDeep`` past it.
    """
    stack: list[tuple[Any, str, int]] = [(variables, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_VARIABLE_DEPTH:
            raise TooDeep
        if isinstance(value, str):
            if NUL in value:
                return path
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                if NUL in str(key):
                    return child
                stack.append((item, child, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}.{i}", depth + 1) for i, item in enumerate(value))
    return None


def nul_rule(locale: str) -> type[ASTValidationRule]:
    """A validation rule: no string literal of the document may hold a NUL."""

    class NoNulInLiterals(ASTValidationRule):
        def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
            if NUL in node.value:
                self.report_error(
                    GraphQLError(
                        message("INVALID_CHARACTER", locale, field=""),
                        node,
                        extensions={"code": "INVALID_CHARACTER"},
                    )
                )

    return NoNulInLiterals
