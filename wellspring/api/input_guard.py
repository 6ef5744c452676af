"""What no input may hold, checked where it enters: NUL characters, unpaired surrogates and
deep JSON nesting.

PostgreSQL refuses a NUL (U+0000) in text, and no database driver can encode an unpaired
surrogate (U+D800–U+DFFF, which JSON's ``\ud800`` escape makes; it is no character of
Unicode text). Either in any string argument or variable is refused before execution with
``INVALID_CHARACTER`` and the path of the value, never stripped: a silently changed value
would be stored as something the client did not send. (graphql-core's lexer refuses an
unpaired surrogate in a literal itself.)
Variables nest at most ``MAX_VARIABLE_DEPTH`` levels (no input of the schema nests deeper
than five); JSON too deep to decode at all is refused by the endpoint the same way.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import ASTValidationRule, GraphQLError, StringValueNode

from wellspring.i18n import message

MAX_VARIABLE_DEPTH = 12
NUL = "\x00"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether ``text`` holds a NUL or an unpaired surrogate."""
    return _UNSTORABLE.search(text) is not None


class TooDeep(Exception):
    pass


def unstorable_path(variables: dict[str, Any]) -> str | None:
    """The path (``input.lines.0.note``) of the first key or string that is ``unstorable``,
    or None.

    Iterative, and bounded by ``MAX_VARIABLE_DEPTH``: raises ``TooDeep`` past it.
    """
    stack: list[tuple[Any, str, int]] = [(variables, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_VARIABLE_DEPTH:
            raise TooDeep
        if isinstance(value, str):
            if unstorable(value):
                return path
        elif isinstance(value, dict):
            for key, item in value.items():
                # the path is answered: an unpaired surrogate in it is written as \ud800
                shown = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
                child = f"{path}.{shown}" if path else shown
                if unstorable(str(key)):
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
