"""ChangePassword: any signed-in user, customers included, changes their own password. Only an
admin's ResetPassword existed, so nobody could change their own.

A wrong current password is WRONG_PASSWORD and counts toward the user's own password-change
throttle (never the sign-in's, so a stolen token cannot lock the real user out); the new one
follows ResetPassword's rules; the change ends the user's other sessions, keeps the one it was
made from, and is audited."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.api.own_customer import PASSWORD as CUSTOMER_PASSWORD
from tests.api.own_customer import own_customer
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL, make_settings
from tests.factories import make_user, scalars
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.schema.core.ids import global_id

ME = "{ me { username } }"
UNLOCK = (
    "mutation($input: UnlockUserInput!) { unlockUser(input: $input) { errors { field code } } }"
)
REFRESH = (
    "mutation($r: String!) { refreshToken(input: {refreshToken: $r}) { token errors { code } } }"
)


def _change(gql: GraphQL, token: str, current: Any, new: Any, locale: str = "en") -> Any:
    variables = {"input": {"currentPassword": current, "newPassword": new}}
    return gql.post(doc("ChangePassword"), variables, token=token, locale=locale).json()


def _changed(gql: GraphQL, token: str, current: str, new: str, locale: str = "en") -> Any:
    body = _change(gql, token, current, new, locale)
    assert "errors" not in body, body
    return body["data"]["changePassword"]


@contextmanager
def _process(database_url: str) -> Iterator[GraphQL]:
    """Another web process on the same database (an app of its own, as a worker is)."""
    with TestClient(create_app(make_settings(database_url))) as client:
        yield GraphQL(client)


def _me(gql: GraphQL, token: str) -> str | None:
    body = gql.post(ME, token=token).json()
    if body.get("errors"):
        return str(body["errors"][0]["extensions"]["code"])
    return str(body["data"]["me"]["username"])


def _user_audit(database_url: str, username: str) -> list[str]:
    user = scalars(database_url, select(m.User.id).where(m.User.username == username))[0]
    return list(
        scalars(database_url, select(m.AuditEntry.action).where(m.AuditEntry.entity_id == user))
    )


def test_a_customer_changes_their_password_and_their_other_sessions_end(
    gql: GraphQL, database_url: str
) -> None:
    me = own_customer(gql, database_url)
    here = gql.login(me.username, CUSTOMER_PASSWORD)
    there = gql.login(me.username, CUSTOMER_PASSWORD)  # another phone, or a thief's copy
    done = _changed(gql, here["token"], CUSTOMER_PASSWORD, "new-secret-9")
    assert done["errors"] == []
    assert done["user"]["username"] == me.username
    # This session goes on; the other one ends, its refresh token with it.
    assert _me(gql, here["token"]) == me.username
    assert _me(gql, there["token"]) == "UNAUTHENTICATED"
    refreshed = gql.data(REFRESH, {"r": there["refreshToken"]})["refreshToken"]
    assert refreshed["errors"] == [{"code": "INVALID_REFRESH_TOKEN"}]
    assert gql.data(REFRESH, {"r": here["refreshToken"]})["refreshToken"]["errors"] == []
    # The old password no longer signs in; the new one does.
    assert gql.login(me.username, CUSTOMER_PASSWORD)["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert gql.login(me.username, "new-secret-9")["token"]
    assert "user.password_changed" in _user_audit(database_url, me.username)


def test_a_wrong_current_password_is_refused_and_counted_apart_from_the_sign_in(
    gql: GraphQL, database_url: str
) -> None:
    """A stolen access token guesses no faster than the sign-in form, but cannot lock the
    real user out of signing in: the guesses count on the user's own password-change key."""
    username = make_user(database_url)
    token = gql.login(username, "password-123")["token"]
    wrong = _changed(gql, token, "not-my-password", "new-secret-9", locale="zh-CN")
    assert wrong["user"] is None
    assert wrong["errors"] == [
        {"field": "currentPassword", "code": "WRONG_PASSWORD", "message": "当前密码不正确。"}
    ]
    # Four more wrong guesses reach the limit (5, as for signing in): changePassword locks.
    for _ in range(4):
        again = _changed(gql, token, "not-my-password", "new-secret-9")
        assert [e["code"] for e in again["errors"]] == ["WRONG_PASSWORD"]
    # The sign-in is not locked: the real user still signs in, as often as they like ...
    assert gql.login(username, "password-123")["token"]
    assert gql.login(username, "password-123")["token"]
    # ... while changePassword is, even for the right current password.
    locked = _changed(gql, token, "password-123", "new-secret-9", locale="zh-CN")
    assert [e["code"] for e in locked["errors"]] == ["TOO_MANY_WRONG_PASSWORDS"]
    assert "秒后再修改密码" in locked["errors"][0]["message"]
    assert _me(gql, token) == username  # the session itself stays
    assert _user_audit(database_url, username).count("auth.password_change_failed") == 5
    assert "user.password_changed" not in _user_audit(database_url, username)
    user_id = scalars(database_url, select(m.User.id).where(m.User.username == username))[0]
    keys = set(
        scalars(database_url, select(m.LoginThrottle.key).where(m.LoginThrottle.failures > 0))
    )
    assert f"user:{username}" not in keys
    locks = scalars(
        database_url,
        select(m.LoginThrottle.locked_until).where(m.LoginThrottle.key == f"password:{user_id}"),
    )
    assert locks[0] is not None


def test_a_locked_sign_in_does_not_lock_the_password_change(
    gql: GraphQL, database_url: str
) -> None:
    username = make_user(database_url)
    token = gql.login(username, "password-123")["token"]
    for _ in range(5):
        assert gql.login(username, "wrong")["errors"][0]["code"] in (
            "INVALID_CREDENTIALS",
            "TOO_MANY_ATTEMPTS",
        )
    assert gql.login(username, "password-123")["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"
    assert _changed(gql, token, "password-123", "new-secret-9")["errors"] == []


def test_the_password_change_lock_holds_in_every_web_process(database_url: str) -> None:
    """Counted in the database, as the sign-in is: a second process sees the first's
    guesses (a round-robin balancer gives no extra guesses)."""
    username = make_user(database_url)
    with _process(database_url) as one, _process(database_url) as two:
        token = one.login(username, "password-123")["token"]
        for web in (one, two, one, two, one):
            wrong = _changed(web, token, "not-my-password", "new-secret-9")
            assert [e["code"] for e in wrong["errors"]] == ["WRONG_PASSWORD"]
        locked = _changed(two, token, "password-123", "new-secret-9")
        assert [e["code"] for e in locked["errors"]] == ["TOO_MANY_WRONG_PASSWORDS"]


def test_an_admin_unlock_lifts_the_password_change_lock_too(
    gql: GraphQL, database_url: str
) -> None:
    username = make_user(database_url)
    user_id = scalars(database_url, select(m.User.id).where(m.User.username == username))[0]
    token = gql.login(username, "password-123")["token"]
    for _ in range(5):
        _changed(gql, token, "not-my-password", "new-secret-9")
    unlocked = gql.data(UNLOCK, {"input": {"userId": global_id("User", user_id)}}, as_user="admin")
    assert unlocked["unlockUser"]["errors"] == []
    assert _changed(gql, token, "password-123", "new-secret-9")["errors"] == []


def test_the_new_password_follows_the_reset_rules_and_changes_nothing_when_refused(
    gql: GraphQL, database_url: str
) -> None:
    username = make_user(database_url)
    token = gql.login(username, "password-123")["token"]
    short = _changed(gql, token, "password-123", "short", locale="zh-CN")
    assert short["errors"] == [
        {"field": "newPassword", "code": "PASSWORD_TOO_SHORT", "message": "密码至少需要 8 个字符。"}
    ]
    # Refused before the current password was even checked: nothing counted, nothing changed.
    for _ in range(5):
        assert [e["code"] for e in _changed(gql, token, "x", "short")["errors"]] == [
            "PASSWORD_TOO_SHORT"
        ]
    assert gql.login(username, "password-123")["token"]
    assert _me(gql, token) == username
    huge = _changed(gql, token, "password-123", "p" * 100_000)["errors"]
    assert [(e["field"], e["code"]) for e in huge] == [("newPassword", "VALUE_TOO_LONG")]
    longest = _changed(gql, token, "password-123", "p" * 128)["errors"]
    assert longest == []


def test_a_staff_login_changes_its_password_too(gql: GraphQL, database_url: str) -> None:
    username = make_user(database_url)
    token = gql.login(username, "password-123")["token"]
    assert _changed(gql, token, "password-123", "password-456")["errors"] == []
    assert gql.login(username, "password-456")["token"]


def test_signed_out_callers_are_refused(gql: GraphQL) -> None:
    body = gql.post(
        doc("ChangePassword"), {"input": {"currentPassword": "a", "newPassword": "b" * 9}}
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


EXAMPLES = int(os.environ.get("WELLSPRING_OWN_PASSWORD_EXAMPLES", "30"))
TEXT = (
    st.text(max_size=12)
    | st.sampled_from(["", " ", "a" * 3000, "密码密码密码密码", "password-123"])
    | st.text(alphabet=st.characters(codec="utf-8"), min_size=8, max_size=20)
)
ANY = st.none() | st.integers() | st.booleans() | TEXT | st.lists(TEXT, max_size=2)
STATE: dict[str, str] = {}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), locale=st.sampled_from(["en", "zh-CN"]))
def test_generated_password_changes_never_fail(
    gql: GraphQL, database_url: str, data: st.DataObject, locale: str
) -> None:
    """Any input (the right current password now and then, so changes happen too): payload
    errors or a validation error, never a 5xx nor an INTERNAL_ERROR."""
    if "user" not in STATE:
        STATE["user"] = make_user(database_url)
        STATE["password"] = "password-123"
        STATE["token"] = gql.login(STATE["user"], STATE["password"])["token"]
    current = data.draw(st.sampled_from([STATE["password"]]) | ANY)
    new = data.draw(ANY)
    response = gql.post(
        doc("ChangePassword"),
        {"input": {"currentPassword": current, "newPassword": new}},
        token=STATE["token"],
        locale=locale,
    )
    assert response.status_code in (200, 400), response.text
    body = response.json()
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
    assert "INTERNAL_ERROR" not in codes, body
    changed = (body.get("data") or {}).get("changePassword")
    answered = [e["code"] for e in (changed or {}).get("errors") or []]
    event(str(sorted(c for c in codes if c) or answered or "changed"))
    if changed and changed["user"] is not None:
        STATE["password"] = str(new)
    assert _me(gql, STATE["token"]) == STATE["user"]  # never signs its own session out
