"""Refresh-token reuse, the per-address login limit, the lockout cap and an admin's unlock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt
from sqlalchemy import select, update
from starlette.testclient import TestClient

from tests.conftest import TEST_SECRET, GraphQL, make_settings
from tests.factories import execute, make_user, scalars, unique
from wellspring.api.app import create_app
from wellspring.domain.models import AuditEntry, AuthSession, LoginThrottle, User
from wellspring.schema.core.ids import global_id

ME = "{ me { username } }"
LOGIN = (
    "mutation($u: String!, $p: String!) { login(username: $u, password: $p) "
    "{ token refreshToken errors { code message } } }"
)
REFRESH = (
    "mutation($r: String!) { refreshToken(refreshToken: $r) "
    "{ token refreshToken errors { code } } }"
)
UNLOCK = (
    "mutation($input: UnlockUserInput!) { unlockUser(input: $input) "
    "{ user { username } errors { field code } } }"
)


def _me_code(gql: GraphQL, token: str) -> str | None:
    body = gql.post(ME, token=token).json()
    return body["errors"][0]["extensions"]["code"] if body.get("errors") else None


def _login(gql: GraphQL, username: str, password: str) -> dict[str, Any]:
    return gql.data(LOGIN, {"u": username, "p": password})["login"]


def test_a_reused_refresh_token_signs_out_thief_and_owner(gql: GraphQL, database_url: str) -> None:
    username = make_user(database_url)
    first = _login(gql, username, "password-123")
    sid = jwt.decode(first["token"], TEST_SECRET, algorithms=["HS256"])["sid"]
    # The owner rotates; a copy of the first refresh token (the thief's) is now spent.
    owner = gql.data(REFRESH, {"r": first["refreshToken"]})["refreshToken"]
    assert owner["errors"] == []
    assert _me_code(gql, owner["token"]) is None

    thief = gql.data(REFRESH, {"r": first["refreshToken"]})["refreshToken"]
    assert thief["token"] is None
    assert thief["errors"] == [{"code": "INVALID_REFRESH_TOKEN"}]
    # The whole session ended: the owner's access token and next refresh token fail too.
    assert _me_code(gql, owner["token"]) == "UNAUTHENTICATED"
    assert _me_code(gql, first["token"]) == "UNAUTHENTICATED"
    after = gql.data(REFRESH, {"r": owner["refreshToken"]})["refreshToken"]
    assert after["errors"] == [{"code": "INVALID_REFRESH_TOKEN"}]
    assert scalars(database_url, select(AuthSession.revoked_at).where(AuthSession.id == sid))[0]
    reused = scalars(
        database_url,
        select(AuditEntry.entity_id).where(AuditEntry.action == "auth.refresh_token_reused"),
    )
    assert reused.count(sid) == 1


def test_an_unknown_refresh_token_revokes_nothing(gql: GraphQL, database_url: str) -> None:
    username = make_user(database_url)
    session = _login(gql, username, "password-123")
    made_up = gql.data(REFRESH, {"r": "not-a-token-we-issued"})["refreshToken"]
    assert made_up["errors"] == [{"code": "INVALID_REFRESH_TOKEN"}]
    assert _me_code(gql, session["token"]) is None
    assert gql.data(REFRESH, {"r": session["refreshToken"]})["refreshToken"]["errors"] == []


@contextmanager
def _client_at(database_url: str, address: str, **settings: object) -> Iterator[GraphQL]:
    app = create_app(make_settings(database_url, **settings))
    with TestClient(app, client=(address, 50000)) as client:
        yield GraphQL(client)


def test_one_address_spraying_many_usernames_is_locked(database_url: str) -> None:
    right = make_user(database_url, password="right-password")
    with _client_at(database_url, "203.0.113.10", login_address_max_failures=4) as sprayer:
        codes = [
            _login(sprayer, unique("victim"), "Summer2026!")["errors"][0]["code"] for _ in range(5)
        ]
        assert codes == ["INVALID_CREDENTIALS"] * 4 + ["TOO_MANY_ATTEMPTS"]
        # Even the right password waits while the address is locked; a success would not
        # have reset the address's count anyway.
        assert _login(sprayer, right, "right-password")["errors"][0]["code"] == (
            "TOO_MANY_ATTEMPTS"
        )
    with _client_at(database_url, "203.0.113.11", login_address_max_failures=4) as elsewhere:
        assert _login(elsewhere, right, "right-password")["errors"] == []


def test_a_success_does_not_reset_the_address_count(database_url: str) -> None:
    mine = make_user(database_url, password="my-password")
    with _client_at(database_url, "203.0.113.12", login_address_max_failures=3) as sprayer:
        for _ in range(2):
            assert _login(sprayer, unique("victim"), "x")["errors"][0]["code"] == (
                "INVALID_CREDENTIALS"
            )
        assert _login(sprayer, mine, "my-password")["errors"] == []
        assert _login(sprayer, unique("victim"), "x")["errors"][0]["code"] == (
            "INVALID_CREDENTIALS"
        )
        assert _login(sprayer, unique("victim"), "x")["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"


def test_lockouts_double_but_never_beyond_the_cap(gql: GraphQL, database_url: str) -> None:
    username = make_user(database_url)
    key = f"user:{username}"
    with _client_at(
        database_url, "203.0.113.20", login_lockout_seconds=60, login_max_lockout_seconds=300
    ) as stranger:
        for expected in (60, 120, 240, 300, 300):
            for _ in range(5):
                _login(stranger, username, "wrong")
            row = _throttle(database_url, key)
            assert row.locked_until is not None
            seconds = (row.locked_until - dt.datetime.now(dt.UTC)).total_seconds()
            assert expected - 5 <= seconds <= expected, (expected, seconds)
            # Time travel: the lockout has run out.
            _expire_lock(database_url, key)
        # Thirty lockouts in, the stranger still holds it only for the cap.
        execute(
            database_url, update(LoginThrottle).where(LoginThrottle.key == key).values(lockouts=30)
        )
        for _ in range(5):
            _login(stranger, username, "wrong")
        row = _throttle(database_url, key)
        assert row.locked_until is not None
        assert (row.locked_until - dt.datetime.now(dt.UTC)).total_seconds() <= 300


def _throttle(database_url: str, key: str) -> LoginThrottle:
    return scalars(database_url, select(LoginThrottle).where(LoginThrottle.key == key))[0]


def _expire_lock(database_url: str, key: str) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    execute(
        database_url,
        update(LoginThrottle).where(LoginThrottle.key == key).values(locked_until=past),
    )


def test_an_admin_unlocks_a_user_and_nobody_else_may(gql: GraphQL, database_url: str) -> None:
    username = make_user(database_url, password="right-password")
    user_id = scalars(database_url, select(User.id).where(User.username == username))[0]
    for _ in range(5):
        _login(gql, username, "wrong")
    assert _login(gql, username, "right-password")["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"
    variables = {"input": {"userId": global_id("User", user_id)}}
    for role in ("hq", "clerk-sh", "customer-1"):
        body = gql.post(UNLOCK, variables, as_user=role).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", role
    assert _login(gql, username, "right-password")["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"

    unlocked = gql.data(UNLOCK, variables, as_user="admin")["unlockUser"]
    assert unlocked == {"user": {"username": username}, "errors": []}
    assert _login(gql, username, "right-password")["errors"] == []
    audited = scalars(
        database_url,
        select(AuditEntry.entity_id).where(AuditEntry.action == "auth.user_unlocked"),
    )
    assert user_id in audited
    missing = {"input": {"userId": global_id("User", "00000000-0000-0000-0000-000000000000")}}
    gone = gql.data(UNLOCK, missing, as_user="admin")["unlockUser"]
    assert gone["errors"] == [{"field": "userId", "code": "USER_NOT_FOUND"}]
