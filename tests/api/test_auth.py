"""Login, refresh, logout, forced logout and the failed-login throttle."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt
from sqlalchemy import select, update

from tests.conftest import TEST_SECRET, GraphQL
from tests.factories import execute, make_user, scalars, unique
from wellspring.domain.models import AuditEntry, AuthSession

ME = "query Me { me { username roles } }"
LOGIN = (
    "mutation($u: String!, $p: String!) { login(username: $u, password: $p) "
    "{ token refreshToken expiresAt user { username } errors { field code message } } }"
)
REFRESH = (
    "mutation($r: String!) { refreshToken(refreshToken: $r) "
    "{ token refreshToken errors { code message } } }"
)


def _login(gql: GraphQL, username: str, password: str, locale: str = "en") -> dict[str, Any]:
    return gql.data(LOGIN, {"u": username, "p": password}, locale=locale)["login"]


def _me_error_code(gql: GraphQL, token: str) -> str | None:
    body = gql.post(ME, token=token).json()
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    return None


def test_demo_login_gives_a_working_token(gql: GraphQL) -> None:
    result = _login(gql, "hotline", "demo")
    assert result["errors"] == []
    assert result["user"]["username"] == "hotline"
    me = gql.data(ME, token=result["token"])["me"]
    assert me == {"username": "hotline", "roles": ["HOTLINE"]}


def test_wrong_password_is_a_localized_payload_error(gql: GraphQL, database_url: str) -> None:
    username = make_user(database_url)
    en = _login(gql, username, "wrong-password", locale="en")
    zh = _login(gql, username, "wrong-password", locale="zh-CN")
    assert en["token"] is None
    assert en["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert en["errors"][0]["message"] == "The username or password is wrong."
    assert zh["errors"][0]["message"] == "用户名或密码错误。"
    failures = scalars(
        database_url,
        select(AuditEntry.action).where(AuditEntry.detail["username"].as_string() == username),
    )
    assert failures.count("auth.login_failed") == 2


def test_failed_logins_are_throttled_even_for_the_right_password(
    gql: GraphQL, database_url: str
) -> None:
    username = make_user(database_url, password="right-password")
    for _ in range(5):
        assert _login(gql, username, "nope")["errors"][0]["code"] == "INVALID_CREDENTIALS"
    locked = _login(gql, username, "right-password")
    assert locked["token"] is None
    assert locked["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"
    assert "seconds" in locked["errors"][0]["message"]


def test_unknown_usernames_are_throttled_alike(gql: GraphQL) -> None:
    ghost = unique("ghost")
    codes = [_login(gql, ghost, "x")["errors"][0]["code"] for _ in range(6)]
    assert codes == ["INVALID_CREDENTIALS"] * 5 + ["TOO_MANY_ATTEMPTS"]


def test_refresh_rotates_and_the_old_refresh_token_is_spent(
    gql: GraphQL, database_url: str
) -> None:
    username = make_user(database_url)
    first = _login(gql, username, "password-123")
    renewed = gql.data(REFRESH, {"r": first["refreshToken"]})["refreshToken"]
    assert renewed["errors"] == []
    assert renewed["token"]
    assert renewed["refreshToken"]
    assert _me_error_code(gql, renewed["token"]) is None
    replay = gql.data(REFRESH, {"r": first["refreshToken"]})["refreshToken"]
    assert replay["token"] is None
    assert replay["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"


def test_logout_ends_the_session_on_its_next_request(gql: GraphQL, database_url: str) -> None:
    username = make_user(database_url)
    result = _login(gql, username, "password-123")
    token = result["token"]
    assert _me_error_code(gql, token) is None
    out = gql.data("mutation Logout { logout { ok errors { code } } }", token=token)["logout"]
    assert out == {"ok": True, "errors": []}
    assert _me_error_code(gql, token) == "UNAUTHENTICATED"
    spent = gql.data(REFRESH, {"r": result["refreshToken"]})["refreshToken"]
    assert spent["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"


def test_admin_sees_who_is_online_and_forces_a_session_out(gql: GraphQL, database_url: str) -> None:
    username = make_user(database_url)
    victim = _login(gql, username, "password-123")["token"]
    assert _me_error_code(gql, victim) is None
    online = gql.data(
        "{ onlineSessions(first: 100) { totalCount edges { node { id user { username } } } } }",
        as_user="admin",
    )["onlineSessions"]
    mine = [e["node"]["id"] for e in online["edges"] if e["node"]["user"]["username"] == username]
    assert len(mine) == 1
    revoked = gql.data(
        "mutation($id: ID!) { revokeSession(id: $id) { session { revokedAt } errors { code } } }",
        {"id": mine[0]},
        as_user="admin",
    )["revokeSession"]
    assert revoked["errors"] == []
    assert revoked["session"]["revokedAt"]
    assert _me_error_code(gql, victim) == "UNAUTHENTICATED"


def test_only_admins_list_or_revoke_sessions(gql: GraphQL, database_url: str) -> None:
    body = gql.post("{ onlineSessions { totalCount } }", as_user="hq").json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    session_id = scalars(database_url, select(AuthSession.id).limit(1))[0]
    from wellspring.schema.core.ids import global_id

    before = scalars(
        database_url, select(AuthSession.revoked_at).where(AuthSession.id == session_id)
    )
    body = gql.post(
        "mutation($id: ID!) { revokeSession(id: $id) { errors { code } } }",
        {"id": global_id("AuthSession", session_id)},
        as_user="hotline",
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    after = scalars(
        database_url, select(AuthSession.revoked_at).where(AuthSession.id == session_id)
    )
    assert before == after


def test_expired_forged_and_missing_tokens_are_unauthenticated(gql: GraphQL) -> None:
    valid = jwt.decode(gql.token("hq"), TEST_SECRET, algorithms=["HS256"])
    expired = jwt.encode(
        {**valid, "exp": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)},
        TEST_SECRET,
        algorithm="HS256",
    )
    forged = jwt.encode(valid, "another-secret-another-secret-another", algorithm="HS256")
    assert _me_error_code(gql, expired) == "UNAUTHENTICATED"
    assert _me_error_code(gql, forged) == "UNAUTHENTICATED"
    assert _me_error_code(gql, "not-a-token") == "UNAUTHENTICATED"
    body = gql.post(ME, locale="zh-CN").json()
    assert body["errors"][0]["message"] == "请先登录，或登录已过期。"


def test_activity_is_recorded_at_most_once_a_minute(gql: GraphQL, database_url: str) -> None:
    username = make_user(database_url)
    token = _login(gql, username, "password-123")["token"]
    sid = jwt.decode(token, TEST_SECRET, algorithms=["HS256"])["sid"]
    long_ago = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    execute(
        database_url, update(AuthSession).where(AuthSession.id == sid).values(last_seen_at=long_ago)
    )
    seen = select(AuthSession.last_seen_at).where(AuthSession.id == sid)
    assert _me_error_code(gql, token) is None
    first = scalars(database_url, seen)[0]
    assert first > long_ago
    assert _me_error_code(gql, token) is None
    assert scalars(database_url, seen)[0] == first  # within the minute: not written again


def test_admins_read_the_audit_log_and_nobody_else(gql: GraphQL, database_url: str) -> None:
    username = make_user(database_url)
    _login(gql, username, "password-123")
    log = gql.data(
        "{ auditLog(first: 100) { edges { node { action actorName entityType requestId "
        "detailEntries { key value } } } } }",
        as_user="admin",
    )["auditLog"]
    logins = [e["node"] for e in log["edges"] if e["node"]["action"] == "auth.login"]
    assert any(entry["actorName"] == username for entry in logins)  # so logins is not empty
    assert all(entry["requestId"] for entry in logins)
    detailed = [e["node"]["detailEntries"] for e in log["edges"] if e["node"]["detailEntries"]]
    assert detailed  # some operation recorded a detail: one entry per key, in key order
    assert all([kv["key"] for kv in kvs] == sorted(kv["key"] for kv in kvs) for kvs in detailed)
    for role in ("hq", "hotline", "clerk-sh", "tech-sh-1", "customer-1"):
        body = gql.post("{ auditLog { totalCount } }", as_user=role).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", role
