"""Every error raised names the values its message says: a ``DomainError`` (or a transport
error) whose message has ``{minimum}`` but is raised without it reaches the user as
"{field} must be between {minimum} and {maximum}." (RecordAgentPayment's amount did). Read
from the source of every raise, in both languages."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from string import Formatter

from tests.test_error_codes import ENUMS_BY_NAME, MODULES, _calls
from wellspring.i18n import MESSAGES

# Raise sites that hand over their values from a mapping (``**params``) are not read here.
RAISERS = {"DomainError": 0, "gql_error": 0, "message": 0, "SyncError": 1}


def _placeholders(code: str) -> set[str]:
    zh, en = MESSAGES[code]
    return {name for text in (zh, en) for _, name, _, _ in Formatter().parse(text) if name}


def _code(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in ENUMS_BY_NAME
    ):
        return str(ENUMS_BY_NAME[node.value.id][node.attr].value)
    return None


def _unfilled() -> Iterator[str]:
    for module in sorted(MODULES):
        for raiser, position in RAISERS.items():
            for call in _calls(module, raiser):
                if len(call.args) <= position:
                    continue
                code = _code(call.args[position])
                if code is None or code not in MESSAGES:
                    continue
                given = {k.arg for k in call.keywords}
                if given & {"value_code", "value_field"}:  # ``value`` in words (i18n.message)
                    given.add("value")
                if None in given:  # a **mapping: its keys are not known here
                    continue
                missing = _placeholders(code) - given
                if missing:
                    yield f"{module}:{call.lineno} {code} without {sorted(missing)}"


def test_every_raise_gives_the_values_its_message_names() -> None:
    assert list(_unfilled()) == []
