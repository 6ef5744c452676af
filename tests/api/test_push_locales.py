"""RegisterPushDevice takes a phone's locale as its platform writes it. It refused everything
but ``zh-CN`` and ``en``, so an iPhone's ``en-US``, ``zh-Hans-CN`` or an Android ``zh_CN``
registered no phone at all; now each reads as the language we write in, and only text that
is no locale is refused (INVALID_LOCALE)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.api.own_customer import own_customer
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from wellspring.domain.errors import DomainError
from wellspring.domain.locales import SUPPORTED, supported_locale


@pytest.fixture(scope="module")
def phone_owner(gql: GraphQL, database_url: str) -> str:
    """A customer of this module's own: a phone registered for customer-1 made the demo's
    customer one with an app, and the tests of what a customer without one is sent failed."""
    return own_customer(gql, database_url).username


def _register(gql: GraphQL, user: str, locale: Any, *, request_locale: str = "en") -> Any:
    given = {"provider": "FCM", "token": f"fcm-{uuid.uuid4().hex}", "platform": "IOS",
             "appId": "cn.ws.app", "locale": locale}  # fmt: skip
    body = gql.post(doc("RegisterPushDevice"), {"input": given}, as_user=user,
                    locale=request_locale).json()  # fmt: skip
    assert "errors" not in body, body
    return body["data"]["registerPushDevice"]


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("en-US", "en"),
        ("en_GB", "en"),
        ("EN", "en"),
        ("en-US@calendar=gregorian", "en"),
        ("zh-Hans-CN", "zh-CN"),
        ("zh-Hans_CN", "zh-CN"),  # iOS's identifier
        ("zh_CN", "zh-CN"),  # Java / Android
        ("zh-rCN", "zh-CN"),  # an Android resource qualifier
        ("b+zh+Hans+CN", "zh-CN"),  # an Android BCP-47 qualifier
        ("zh_CN.UTF-8", "zh-CN"),  # POSIX
        ("zh-TW", "zh-CN"),  # we write Simplified Chinese only
        ("zh-CN", "zh-CN"),
        ("en", "en"),
        ("fr-FR", "en"),  # a language we do not write in: the request's (Accept-Language)
        ("", "en"),
    ],
)
def test_a_phone_registers_with_the_locale_its_platform_writes(
    gql: GraphQL, phone_owner: str, sent: str, stored: str
) -> None:
    answer = _register(gql, phone_owner, sent)
    assert answer["errors"] == []
    assert answer["device"]["locale"] == stored


def test_another_language_falls_back_to_the_request_language(
    gql: GraphQL, phone_owner: str
) -> None:
    given = _register(gql, phone_owner, "de-DE", request_locale="zh-CN")
    assert given["device"]["locale"] == "zh-CN"
    unset = _register(gql, phone_owner, None, request_locale="zh-CN")
    assert unset["device"]["locale"] == "zh-CN"


@pytest.mark.parametrize("sent", ["english", "zh--CN", "12-34", "中文", "en US", "x" * 70, "-"])
def test_only_garbage_is_refused_with_a_clear_code(
    gql: GraphQL, phone_owner: str, sent: str
) -> None:
    answer = _register(gql, phone_owner, sent)
    assert answer["device"] is None
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [("locale", "INVALID_LOCALE")]
    zh = _register(gql, phone_owner, sent, request_locale="zh-CN")["errors"][0]["message"]
    assert "不是有效的语言代码" in zh


@given(text=st.text(max_size=80), fallback=st.sampled_from(["zh-CN", "en"]))
def test_any_text_is_a_supported_locale_or_invalid_locale(text: str, fallback: str) -> None:
    refused: DomainError | None = None
    try:
        found = supported_locale(text, fallback)
    except DomainError as error:
        refused, found = error, ""
    if refused is not None:
        assert (refused.code, refused.field) == ("INVALID_LOCALE", "locale")
    else:
        assert found in SUPPORTED
