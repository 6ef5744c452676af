"""A field the short path answers only when the request already knows its value (an
engineer's display name, ``related.Computed`` with ``later``) answers exactly what
graphql-core answers: at once when the name was read, through the ordinary resolver when it
was not, and as an error where a name is missing, in rows answered in one go or not."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from graphql import ExecutionContext, parse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.api.short_path_context import Context, execute_with
from wellspring.domain import models as m
from wellspring.domain.models.enums import Role
from wellspring.schema import build_schema
from wellspring.schema.core import fused_rows, plain_fields
from wellspring.schema.core.plain_fields import execution_context

SCHEMA = build_schema().graphql_schema
SHORT = execution_context(SCHEMA)
SUGGEST = parse(
    """{ suggestTechnicians(jobId: "x") { suggestions {
         technician { id displayName skills } name score } } }"""
)
_USERS = ["u-read", "u-later", "u-missing", "u-null"]
_suggestion = st.builds(
    lambda user_id, name, score: SimpleNamespace(
        technician=m.Technician(id=f"t-{user_id}", user_id=user_id, skills=["REPAIR"]),
        name=name,
        score=score,
    ),
    user_id=st.one_of(st.none(), st.sampled_from(_USERS)),
    name=st.one_of(st.just("王"), st.none()),
    score=st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.just("x")),
)


def _execute(context_class: type[ExecutionContext], role: Role, suggestions: Any) -> Any:
    """The suggestions' engineers are known to the request (``suggestTechnicians`` tells
    the loaders of them): each suggestion names its engineer by id."""
    answered = [
        SimpleNamespace(technician_id=s.technician.id, name=s.name, score=s.score)
        for s in suggestions
    ]

    def payload(_root: Any, _info: Any, **_args: Any) -> Any:
        return SimpleNamespace(job=None, suggestions=answered, errors=[])

    names = {"u-read": "王师傅", "u-null": None}
    engineers = {s.technician.id: s.technician for s in suggestions}
    context = Context(role, {m.Technician: engineers}, names=names, later={"u-later": "李师傅"})
    return execute_with(SCHEMA, SUGGEST, "suggestTechnicians", payload, context, context_class)


@settings(max_examples=200, deadline=None)
@example(role=Role.CLERK, suggestions=[])
@example(  # one name read, one read later, one missing, one without a user
    role=Role.CLERK,
    suggestions=[
        SimpleNamespace(
            technician=m.Technician(id=f"t-{user_id}", user_id=user_id, skills=["REPAIR"]),
            name="王",
            score=1.0,
        )
        for user_id in [*_USERS, None]
    ],
)
@given(role=st.sampled_from(list(Role)), suggestions=st.lists(_suggestion, min_size=1, max_size=4))
def test_later_fields_answer_as_graphql_core(role: Role, suggestions: list[Any]) -> None:
    assert _execute(SHORT, role, suggestions) == _execute(ExecutionContext, role, suggestions)


def test_a_name_already_read_is_answered_in_one_go(monkeypatch: Any) -> None:
    """With every name read, the payload and its suggestions are answered in one go; a name
    not read yet sends the rows holding it to the ordinary path, which reads it."""
    outcomes: list[tuple[str, bool]] = []

    def answer_row(context: Any, plan: Any, row: Any) -> Any:
        answer = fused_rows.answer_row(context, plan, row)
        outcomes.append((plan.type_name, answer is not fused_rows.ABANDONED))
        return answer

    monkeypatch.setattr(plain_fields, "answer_row", answer_row)

    def suggestion(user_id: str) -> Any:
        tech = m.Technician(id="t1", user_id=user_id, skills=["REPAIR"])
        return SimpleNamespace(technician=tech, name="王", score=1.0)

    data, errors = _execute(SHORT, Role.CLERK, [suggestion("u-read")])
    assert errors == []
    assert data["suggestTechnicians"]["suggestions"][0]["technician"]["displayName"] == "王师傅"
    assert outcomes == [("TechnicianSuggestions", True)]
    outcomes.clear()
    data, errors = _execute(SHORT, Role.CLERK, [suggestion("u-later")])
    assert errors == []
    assert data["suggestTechnicians"]["suggestions"][0]["technician"]["displayName"] == "李师傅"
    assert outcomes == [
        ("TechnicianSuggestions", False),
        ("TechnicianSuggestion", False),
        ("Technician", False),
    ]
