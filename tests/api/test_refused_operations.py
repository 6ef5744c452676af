"""Requests that are valid GraphQL but that /graphql cannot run as sent: each is the
client's to mend, answered with a code in the caller's language, never INTERNAL_ERROR (all
three were found by a generated hunt)."""

from __future__ import annotations

import pytest

from tests.api.seen import doc
from tests.conftest import GraphQL
from wellspring.i18n import message


@pytest.mark.parametrize(
    ("user", "document"),
    [
        (None, "subscription { myJobEvents { id } }"),
        ("tech-sh-1", "subscription { myJobEvents { id } }"),
        ("hq", "subscription($b: ID!) { boardEvents(branchId: $b) { id } }"),
    ],
)
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_subscription_over_http_is_sent_to_the_websocket(
    gql: GraphQL, user: str | None, document: str, locale: str
) -> None:
    response = gql.post(document, {"b": "x"}, as_user=user, locale=locale)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "SUBSCRIPTION_OVER_HTTP"
    assert error["message"] == message("SUBSCRIPTION_OVER_HTTP", locale)


def test_an_introspection_rule_of_subscriptions_is_not_called_introspection_disabled(
    gql: GraphQL,
) -> None:
    """graphql-core refuses a subscription selecting ``__typename`` at its root: a validation
    error like any other, not the production switch's INTROSPECTION_DISABLED."""
    response = gql.post("subscription { __typename }", as_user="hq")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("user", "document", "variables", "argument"),
    [
        ("clerk-sh", doc("CallbacksDue"), {"order": None}, "order"),
        (
            "hq",
            "query($b: Boolean) { technicians(includeInactive: $b) { totalCount } }",
            {"b": None},
            "includeInactive",
        ),
        ("hq", "query($o: JobOrder) { jobs(orderBy: $o) { totalCount } }", {}, None),
        ("hq", "query($o: JobOrder) { jobs(orderBy: $o) { totalCount } }", {"o": None}, "orderBy"),
    ],
)
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_null_variable_for_an_argument_with_a_default_is_the_callers_to_mend(
    gql: GraphQL,
    user: str,
    document: str,
    variables: dict[str, object],
    argument: str | None,
    locale: str,
) -> None:
    """``$o: JobOrder`` may stand for ``orderBy: JobOrder! = ...`` (the spec allows it for the
    default's sake): left out, the default applies; sent as null, graphql-core refuses the
    argument as it runs the field: REQUIRED, naming the argument."""
    response = gql.post(document, variables, as_user=user, locale=locale)
    assert response.status_code == 200
    body = response.json()
    if argument is None:
        assert "errors" not in body, body
        return
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "REQUIRED", error
    assert error["extensions"]["field"] == argument
    assert error["message"] == message("REQUIRED", locale, field=argument)
    if locale == "zh-CN":  # the argument in words, not the generic 该字段
        assert "该字段" not in error["message"], error["message"]
    assert body["data"] is None
