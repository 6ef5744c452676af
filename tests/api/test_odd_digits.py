"""A number in a header, a signed URL or a form is read only when it is plain ASCII digits:
``str.isdigit`` also accepts "²", which ``int`` refuses, and each door answered it with 500."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.api.raw_asgi import post_raw
from wellspring.api.pbx_webhook import PATH as PBX_PATH
from wellspring.digits import is_digits
from wellspring.domain.masterdata.cards import card_secret_matches
from wellspring.i18n.terms import field_name

ODD = "²"  # a superscript two: isdigit() is True, int() raises


@given(st.text(max_size=20))
def test_what_is_digits_accepts_int_reads(text: str) -> None:
    if is_digits(text):
        assert int(text) >= 0
        assert text.isascii()


@given(st.integers(min_value=0))
def test_every_plain_number_is_digits(number: int) -> None:
    assert is_digits(str(number))


def raw_post(client: TestClient, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    """The status the app answers a POST whose headers are these bytes, as a server passes
    them (the test client re-encodes a header's bytes as UTF-8)."""
    return int(post_raw(client, path, headers)[0]["status"])


@pytest.mark.parametrize("path", ["/graphql", "/sync/pull", "/sync/push", "/media/upload"])
def test_a_declared_length_of_odd_digits_is_no_5xx(app_client: TestClient, path: str) -> None:
    odd = ODD.encode("latin-1")  # one byte, as a client may send it
    headers = [(b"content-length", odd), (b"content-type", b"application/json")]
    assert raw_post(app_client, path, headers) < 500


def test_a_pbx_timestamp_of_odd_digits_is_no_5xx(app_client: TestClient) -> None:
    headers = [(b"x-pbx-timestamp", ODD.encode("latin-1")), (b"x-pbx-signature", b"00")]
    assert raw_post(app_client, PBX_PATH, headers) < 500


def test_a_signed_url_of_odd_digits_is_refused(app_client: TestClient) -> None:
    answer = app_client.get("/media/file", params={"key": "a/b", "expires": ODD, "signature": ""})
    assert answer.status_code == 403


def test_odd_digits_elsewhere_are_not_numbers() -> None:
    assert field_name(f"lines.{ODD}", "zh-CN") == "该字段"  # not "the item at index ²"
    assert not card_secret_matches(f"pbkdf2_sha256${ODD}$salt$00", "1", "secret")
