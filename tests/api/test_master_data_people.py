"""Master data through the API, the people: a branch's clerk and its engineers, an admin and
the logins (what each may change, payload errors, deactivation ending sessions)."""

from __future__ import annotations

from sqlalchemy import select

from tests.api.master_data_calls import branch_id
from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, scalars, unique
from wellspring.domain import models as m
from wellspring.schema.core.ids import global_id


def test_a_clerk_manages_only_their_branch_engineers(gql: GraphQL, database_url: str) -> None:
    username = unique("tech")
    made = ok(
        payload(
            gql,
            "UpsertTechnician",
            {
                "input": {
                    "username": username,
                    "password": "password-123",
                    "displayName": "李师傅",
                    "branchId": branch_id(database_url, "SH"),
                    "skills": ["REPAIR"],
                    "shiftStart": "09:00",
                    "shiftEnd": "18:00",
                    "workDays": [1, 2, 3],
                    "homeLatitude": 31.2,
                    "homeLongitude": 121.4,
                }
            },
            "clerk-sh",
        )
    )["technician"]
    assert (made["skills"], made["workDays"], made["shiftEnd"]) == (["REPAIR"], [1, 2, 3], "18:00")
    assert made["van"]["code"] == f"VAN-{username}"[:32].upper()
    assert gql.login(username, "password-123")["token"]
    other = gql.post(
        doc("UpsertTechnician"),
        {
            "input": {
                "username": unique("t"),
                "password": "password-123",
                "branchId": branch_id(database_url, "BJ"),
            }
        },
        as_user="clerk-sh",
    ).json()
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    hidden = payload(gql, "UpsertTechnician", {"input": {"id": made["id"]}}, "clerk-bj")
    assert [e["code"] for e in hidden["errors"]] == ["NOT_FOUND"]
    shift = payload(
        gql, "UpsertTechnician", {"input": {"id": made["id"], "shiftEnd": "08:00"}}, "clerk-sh"
    )
    assert [e["code"] for e in shift["errors"]] == ["INVALID_SHIFT"]
    moved = ok(
        payload(
            gql,
            "UpsertTechnician",
            {"input": {"id": made["id"], "branchId": branch_id(database_url, "BJ")}},
            "hq",
        )
    )["technician"]
    assert moved["branch"]["code"] == "BJ"
    van_branch = scalars(
        database_url,
        select(m.Branch.code)
        .join(m.Warehouse, m.Warehouse.branch_id == m.Branch.id)
        .where(m.Warehouse.code == made["van"]["code"]),
    )
    assert van_branch == ["BJ"]
    off = ok(
        payload(gql, "UpsertTechnician", {"input": {"id": made["id"], "isActive": False}}, "hq")
    )
    assert off["technician"]["isActive"] is False


def test_admins_manage_logins_and_deactivation_ends_sessions(
    gql: GraphQL, database_url: str
) -> None:
    username = unique("staff")
    user = ok(
        payload(
            gql,
            "CreateUser",
            {
                "input": {
                    "username": username,
                    "password": "password-123",
                    "role": "HOTLINE",
                    "displayName": "小王",
                }
            },
            "admin",
        )
    )["user"]
    token = gql.login(username, "password-123")["token"]
    me = "query { me { username role branch { code } } }"
    assert gql.data(me, token=token)["me"]["role"] == "HOTLINE"
    updated = ok(
        payload(
            gql,
            "UpdateUser",
            {
                "input": {
                    "id": user["id"],
                    "role": "CLERK",
                    "branchId": branch_id(database_url, "SZ"),
                    "locale": "en",
                }
            },
            "admin",
        )
    )["user"]
    assert (updated["role"], updated["branch"]["code"], updated["locale"]) == ("CLERK", "SZ", "en")
    assert gql.data(me, token=token)["me"]["role"] == "CLERK"  # the next request sees it

    reset = ok(
        payload(
            gql,
            "ResetPassword",
            {"input": {"id": user["id"], "password": "another-pass-1"}},
            "admin",
        )
    )
    assert reset["user"]["username"] == username
    stale = gql.post(me, token=token).json()
    assert stale["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    token = gql.login(username, "another-pass-1")["token"]

    gone = ok(payload(gql, "DeactivateUser", {"input": {"id": user["id"]}}, "admin"))["user"]
    assert gone["isActive"] is False
    assert gql.post(me, token=token).json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert gql.login(username, "another-pass-1")["errors"][0]["code"] == "INVALID_CREDENTIALS"
    rows = fetch(database_url, select(m.User.id).where(m.User.username == username))
    logged = scalars(
        database_url,
        select(m.AuditEntry.action).where(m.AuditEntry.entity_id == rows[0][0]),
    )
    assert {"user.created", "user.updated", "user.password_reset", "user.deactivated"} <= set(
        logged
    )
    admin_id = scalars(database_url, select(m.User.id).where(m.User.username == "admin"))[0]
    itself = payload(gql, "DeactivateUser", {"input": {"id": global_id("User", admin_id)}}, "admin")
    assert [e["code"] for e in itself["errors"]] == ["CANNOT_DEACTIVATE_SELF"]
    short = payload(
        gql,
        "CreateUser",
        {"input": {"username": unique("s"), "password": "x", "role": "HQ"}},
        "admin",
    )
    assert [e["code"] for e in short["errors"]] == ["PASSWORD_TOO_SHORT"]
    clerk = payload(
        gql, "CreateUser", {"input": {"username": unique("s"), "password": "password-123",
                                      "role": "CLERK"}}, "admin"
    )  # fmt: skip
    assert [e["code"] for e in clerk["errors"]] == ["ROLE_NEEDS_BRANCH"]


def test_a_home_out_of_range_names_the_coordinate_at_fault(gql: GraphQL, database_url: str) -> None:
    base = {
        "username": unique("tech"),
        "password": "password-123",
        "displayName": "王师傅",
        "branchId": branch_id(database_url, "SH"),
        "skills": ["REPAIR"],
    }
    for home, field in (
        ({"homeLatitude": 0.0, "homeLongitude": 181.0}, "homeLongitude"),
        ({"homeLatitude": 91.0, "homeLongitude": 121.0}, "homeLatitude"),
        ({"homeLatitude": 0.0}, "homeLongitude"),
    ):
        answer = payload(gql, "UpsertTechnician", {"input": {**base, **home}}, "clerk-sh")
        assert [(e["code"], e["field"]) for e in answer["errors"]] == [
            ("INVALID_COORDINATES", field)
        ]
