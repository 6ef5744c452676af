"""Master data through the API, the things (branches, models, parts, cards, offices): who may
change what, payload errors, deactivation, audit. The people are test_master_data_people.py's."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.api.master_data_calls import PERSONAS, audit_rows, branch_id, mutation_calls
from tests.api.workflow_steps import doc, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, scalars, unique
from wellspring.domain import models as m
from wellspring.domain import permissions
from wellspring.domain.masterdata.cards import card_secret_matches
from wellspring.domain.models.enums import Role


@pytest.mark.parametrize("role", list(PERSONAS), ids=lambda r: r.value)
def test_each_role_may_do_exactly_what_the_table_says(
    gql: GraphQL, database_url: str, role: Role
) -> None:
    user = PERSONAS[role]
    gql.token(user)  # signing in writes its own audit row
    for name, (action, variables) in mutation_calls(database_url).items():
        before = audit_rows(database_url)
        body = gql.post(doc(name), variables, as_user=user).json()
        if role in permissions.allowed_roles(action):
            assert "errors" not in body, (name, body)
            assert next(iter(body["data"].values()))["errors"] == [], (name, body)
            assert audit_rows(database_url) > before
            made = next(iter(body["data"].values())).get("technician")
            if made:  # off dispatch again, so other tests' suggestions and routes stay put
                off = {"input": {"id": made["id"], "isActive": False}}
                ok(payload(gql, "UpsertTechnician", off, user))
        else:
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (name, role, body)
            assert audit_rows(database_url) == before, (name, role)  # no side effect


def test_a_branch_is_created_edited_and_deactivated_never_twice(
    gql: GraphQL, database_url: str
) -> None:
    code = unique("NJ")
    made = ok(
        payload(
            gql,
            "UpsertBranch",
            {
                "input": {
                    "code": code,
                    "name": "南京办事处",
                    "kind": "OFFICE",
                    "parentId": branch_id(database_url, "SH"),
                    "latitude": 32.06,
                    "longitude": 118.79,
                }
            },
            "hq",
        )
    )["branch"]
    assert (made["kind"], made["parent"]["code"], made["isActive"]) == ("OFFICE", "SH", True)
    again = payload(gql, "UpsertBranch", {"input": {"code": code, "name": "x"}}, "hq")
    assert [e["code"] for e in again["errors"]] == ["DUPLICATE_CODE"]
    assert again["branch"] is None
    edited = ok(
        payload(gql, "UpsertBranch", {"input": {"id": made["id"], "isActive": False}}, "hq")
    )
    assert edited["branch"]["isActive"] is False
    assert edited["branch"]["name"] == "南京办事处"
    hq = payload(
        gql, "UpsertBranch", {"input": {"code": unique("X"), "name": "二", "kind": "HQ"}}, "hq"
    )
    assert [e["code"] for e in hq["errors"]] == ["HQ_EXISTS"]
    bad = gql.data(
        doc("UpsertBranch"),
        {"input": {"code": "上 海", "name": "x"}},
        as_user="hq",
        locale="zh-CN",
    )["upsertBranch"]["errors"][0]
    assert bad["code"] == "INVALID_CODE"
    assert not re.search(r"[A-Za-z]{3,}", bad["message"].replace("上 海", ""))  # no English


def test_a_device_model_keeps_its_filter_stages_and_a_part_its_models(
    gql: GraphQL, database_url: str
) -> None:
    stages = [
        {"stage": 1, "name": "PP 棉", "lifetimeDays": 90},
        {"stage": 2, "name": "活性炭", "lifetimeDays": 180},
        {"stage": 3, "name": "RO 膜", "lifetimeDays": 720},
    ]
    code = unique("WS").upper()  # codes are stored upper-case
    model = ok(
        payload(
            gql,
            "UpsertDeviceModel",
            {"input": {"code": code, "name": "新机型", "listPrice": "1999.00", "filters": stages}},
            "hq",
        )
    )["deviceModel"]
    assert [f["lifetimeDays"] for f in model["filters"]] == [90, 180, 720]
    first_filter = model["filters"][0]["id"]
    changed = ok(
        payload(
            gql,
            "UpsertDeviceModel",
            {"input": {"id": model["id"], "filters": [{**stages[0], "lifetimeDays": 120}]}},
            "hq",
        )
    )["deviceModel"]
    assert [(f["id"], f["lifetimeDays"]) for f in changed["filters"]] == [(first_filter, 120)]
    model_row = scalars(database_url, select(m.DeviceModel.id).where(m.DeviceModel.code == code))
    retired = scalars(
        database_url,
        select(m.FilterType.stage).where(
            m.FilterType.device_model_id == model_row[0], m.FilterType.deleted_at.is_not(None)
        ),
    )
    assert sorted(retired) == [2, 3]  # retired, not deleted: filter changes refer to them
    duplicate = payload(
        gql,
        "UpsertDeviceModel",
        {"input": {"id": model["id"], "filters": [stages[0], stages[0]]}},
        "hq",
    )
    assert [e["field"] for e in duplicate["errors"]] == ["filters.1.stage"]

    part = ok(
        payload(
            gql,
            "UpsertPart",
            {
                "input": {
                    "sku": unique("F"),
                    "name": "滤芯",
                    "cost": "10.5",
                    "listPrice": "20",
                    "compatibleModelIds": [model["id"]],
                }
            },
            "hq",
        )
    )["part"]
    assert part["compatibleModels"] == [code]
    assert (part["cost"]["amount"], part["listPrice"]["amount"]) == ("10.50", "20.00")
    negative = payload(gql, "UpsertPart", {"input": {"id": part["id"], "cost": "-1"}}, "hq")
    assert [e["code"] for e in negative["errors"]] == ["AMOUNT_NEGATIVE"]
    # Prices are Decimal: a non-number never reaches the use case.
    not_a_number = gql.post(
        doc("UpsertPart"), {"input": {"id": part["id"], "cost": "abc"}}, as_user="hq"
    )
    assert not_a_number.status_code == 400
    assert [e["extensions"]["reason"] for e in not_a_number.json()["errors"]] == ["INVALID_DECIMAL"]


def test_cards_arrive_by_range_with_hashed_secrets(gql: GraphQL, database_url: str) -> None:
    station = ok(
        payload(
            gql,
            "UpsertWarehouse",
            {
                "input": {
                    "code": unique("XS"),
                    "name": "站",
                    "kind": "REPAIR_CENTER",
                    "branchId": branch_id(database_url, "BJ"),
                }
            },
            "hq",
        )
    )["warehouse"]
    base = 9_600_000_000 + int(unique("n").split("-")[1], 16) % 10**8
    first, last = str(base), str(base + 4)
    received = ok(
        payload(
            gql,
            "ReceiveCards",
            {"input": {"warehouseId": station["id"], "fromNumber": first, "toNumber": last}},
            "hq",
        )
    )
    assert received["count"] == 5
    secrets = {s["cardNumber"]: s["secret"] for s in received["issuedSecrets"]}
    assert sorted(secrets) == [str(base + i) for i in range(5)]
    stored = dict(
        fetch(
            database_url,
            select(m.AccountCard.card_number, m.AccountCard.secret_hash).where(
                m.AccountCard.card_number.in_(list(secrets))
            ),
        )
    )
    for number, secret in secrets.items():
        assert secret not in stored[number]
        assert card_secret_matches(stored[number], number, secret)
        assert not card_secret_matches(stored[number], number, secret + "0")
    again = payload(
        gql,
        "ReceiveCards",
        {"input": {"warehouseId": station["id"], "fromNumber": last, "toNumber": str(base + 9)}},
        "hq",
    )
    assert [(e["code"], e["field"]) for e in again["errors"]] == [
        ("CARD_NUMBER_TAKEN", "fromNumber")
    ]
    for start, end, code in (
        ("1000", "2000", "TOO_MANY_ITEMS"),
        ("20", "10", "INVALID_CARD_RANGE"),
        ("0001", "10", "INVALID_CARD_RANGE"),
        ("1²", "12", "INVALID_CARD_RANGE"),  # a digit to isdigit(), not to int()
    ):
        bad = payload(
            gql,
            "ReceiveCards",
            {"input": {"warehouseId": station["id"], "fromNumber": start, "toNumber": end}},
            "hq",
        )
        assert [e["code"] for e in bad["errors"]] == [code]
    full = payload(
        gql, "UpsertWarehouse", {"input": {"id": station["id"], "isActive": False}}, "hq"
    )
    assert [e["code"] for e in full["errors"]] == ["WAREHOUSE_NOT_EMPTY"]
    van = payload(
        gql, "UpsertWarehouse", {"input": {"code": unique("V"), "name": "v", "kind": "VAN",
                                           "branchId": branch_id(database_url, "BJ")}}, "hq"
    )  # fmt: skip
    assert [e["code"] for e in van["errors"]] == ["VAN_BELONGS_TO_ENGINEER"]


def test_offices_hang_under_branches_two_levels_at_most(gql: GraphQL, database_url: str) -> None:
    sh, hq = branch_id(database_url, "SH"), branch_id(database_url, "HQ")
    office = ok(
        payload(
            gql,
            "UpsertBranch",
            {"input": {"code": unique("O"), "name": "办事处", "kind": "OFFICE", "parentId": sh}},
            "hq",
        )
    )["branch"]
    for kind, parent in (("OFFICE", office["id"]), ("BRANCH", sh)):
        bad = payload(
            gql,
            "UpsertBranch",
            {"input": {"code": unique("O"), "name": "x", "kind": kind, "parentId": parent}},
            "hq",
        )
        assert [(e["code"], e["field"]) for e in bad["errors"]] == [("INVALID_PARENT", "parentId")]
    under_hq = payload(
        gql, "UpsertBranch", {"input": {"code": unique("B"), "name": "分", "parentId": hq}}, "hq"
    )
    assert ok(under_hq)["branch"]["parent"]["code"] == "HQ"
    long = payload(gql, "UpsertBranch", {"input": {"id": office["id"], "nameEn": "x" * 101}}, "hq")
    assert [(e["code"], e["field"]) for e in long["errors"]] == [("VALUE_TOO_LONG", "nameEn")]
