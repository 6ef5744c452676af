"""UpdateUser reads a user's language as a phone's locale is read (``domain/locales.py``). It
took only ``zh-CN`` and ``en`` (INVALID_ARGUMENT for anything else), while RegisterPushDevice
took ``en-US``, ``zh_CN``, ``zh-Hans-CN`` ...: one rule for both doors now."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.factories import make_user, scalars
from wellspring.domain import models as m
from wellspring.domain.locales import supported_locale
from wellspring.schema.core.ids import global_id


@pytest.fixture(scope="module")
def user_id(database_url: str) -> str:
    """A login of this module's own, whose language the tests change."""
    username = make_user(database_url)
    found = scalars(database_url, select(m.User.id).where(m.User.username == username))[0]
    return global_id("User", found)


def _update(gql: GraphQL, user_id: str, locale: Any, request_locale: str = "en") -> Any:
    variables = {"input": {"id": user_id, "locale": locale}}
    body = gql.post(doc("UpdateUser"), variables, as_user="admin", locale=request_locale).json()
    assert "errors" not in body, body
    return body["data"]["updateUser"]


def _set(gql: GraphQL, user_id: str, locale: str) -> None:
    assert _update(gql, user_id, locale)["user"]["locale"] == locale


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("en-US", "en"),
        ("en_GB", "en"),
        ("EN", "en"),
        ("zh-Hans-CN", "zh-CN"),
        ("zh_CN", "zh-CN"),
        ("b+zh+Hans+CN", "zh-CN"),
        ("zh_CN.UTF-8", "zh-CN"),
        ("zh-TW", "zh-CN"),  # we write Simplified Chinese only
        ("zh-CN", "zh-CN"),
        ("en", "en"),
    ],
)
def test_a_user_language_is_read_as_any_platform_writes_it(
    gql: GraphQL, user_id: str, sent: str, stored: str
) -> None:
    _set(gql, user_id, "en" if stored == "zh-CN" else "zh-CN")  # so the change is seen
    answer = _update(gql, user_id, sent)
    assert answer["errors"] == []
    assert answer["user"]["locale"] == stored
    assert stored == supported_locale(sent, "?")  # the push registration's rule, exactly


@pytest.mark.parametrize("sent", ["fr-FR", "", "  "])
def test_another_language_or_blank_keeps_the_users(gql: GraphQL, user_id: str, sent: str) -> None:
    for kept in ("en", "zh-CN"):
        _set(gql, user_id, kept)
        answer = _update(gql, user_id, sent, request_locale="zh-CN" if kept == "en" else "en")
        assert answer["errors"] == []
        assert answer["user"]["locale"] == kept


@pytest.mark.parametrize("sent", ["english", "zh--CN", "中文", "en US", "x" * 70])
def test_text_that_is_no_locale_is_refused_as_a_phones_is(
    gql: GraphQL, user_id: str, sent: str
) -> None:
    _set(gql, user_id, "en")
    answer = _update(gql, user_id, sent, request_locale="zh-CN")
    assert answer["user"] is None
    [error] = answer["errors"]
    assert (error["field"], error["code"]) == ("locale", "INVALID_LOCALE")
    assert "不是有效的语言代码" in error["message"]
    me = _update(gql, user_id, None)["user"]  # nothing was changed
    assert me["locale"] == "en"
