"""Issue 18 through the API: the client documents run by their personas (outlets and their
settlements, articles), and generated requests (schemathesis) at every new operation, none of
which may answer 5xx. The PBX webhook's tests are in ``test_pbx_webhook_api.py``.

The module has its own database (``issue18_world.py``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.graphql import nodes
from sqlalchemy import select

from tests.api.issue18_world import World, doc, node_id, open_world, technician_id
from tests.api.seen import count_statements
from tests.api.test_generated_graphql import SCHEMA_FILE, _errors, _real_ids, _register_scalars
from tests.factories import fetch, scalars, unique
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.schema.core.ids import global_id, split_global_id

MINE = {
    "serviceOutlets",
    "outletSettlements",
    "outletAssessmentForm",
    "callbacksDue",
    "articles",
    "upsertServiceOutlet",
    "recordOutletAssessment",
    "generateOutletSettlement",
    "adjustOutletSettlement",
    "confirmOutletSettlement",
    "markOutletSettlementPaid",
    "recordMissedCall",
    "recordCallback",
    "upsertArticle",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with open_world(tmp_path_factory, "issue18") as opened:
        yield opened


def test_an_outlet_is_set_up_assessed_and_settled_and_its_engineer_sees_only_it(
    world: World,
) -> None:
    gql, url = world.gql, world.url
    sh = node_id(url, m.Branch, "Branch", m.Branch.code, "SH")
    code = unique("OUT")
    made = gql.data(
        doc("UpsertServiceOutlet"),
        {
            "input": {
                "code": code,
                "name": "徐汇服务网点",
                "branchId": sh,
                "level": "A",
                "email": "xh@example.com",
                "creditLimit": "5000",
                "rateCard": [{"ticketType": "REPAIR", "amount": "80"}],
                "technicianIds": [technician_id(url, "tech-sh-2")],
            }
        },
        as_user="clerk-sh",
    )["upsertServiceOutlet"]
    assert made["errors"] == []
    outlet = made["outlet"]
    assert outlet["rateCard"] == [
        {"ticketType": "REPAIR", "amount": {"amount": "80.00", "currency": "CNY"}}
    ]

    def outlets(user: str) -> list[str]:
        page = gql.data(doc("ServiceOutlets"), {"first": 50}, as_user=user)["serviceOutlets"]
        return [e["node"]["id"] for e in page["edges"]]

    assert outlet["id"] in outlets("hq")
    assert outlets("tech-sh-2") == [outlet["id"]]
    assert outlet["id"] not in outlets("clerk-bj")
    assert outlets("tech-sh-1") == []
    refused = gql.post(doc("ServiceOutlets"), {}, as_user="hotline").json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    form = gql.data(
        doc("OutletAssessmentForm"),
        {"outletId": outlet["id"], "periodStart": "2026-11-01", "periodEnd": "2026-11-30"},
        as_user="clerk-sh",
    )["outletAssessmentForm"]
    assert [s["criterion"] for s in form["suggestedScores"]] == [
        "FIRST_TIME_FIX",
        "PUNCTUALITY",
        "SATISFACTION",
    ]
    assessed = gql.data(
        doc("RecordOutletAssessment"),
        {
            "input": {
                "outletId": outlet["id"],
                "periodStart": "2026-11-01",
                "periodEnd": "2026-11-30",
                "scores": [{"criterion": "PUNCTUALITY", "score": 90}],
                "comment": "准时",
            }
        },
        as_user="clerk-sh",
    )["recordOutletAssessment"]
    assert assessed["errors"] == []
    assert assessed["assessment"]["totalScore"] == "90.00"

    month = "2026-11"
    draft = gql.data(
        doc("GenerateOutletSettlement"),
        {"input": {"outletId": outlet["id"], "month": month}},
        as_user="clerk-sh",
    )["generateOutletSettlement"]["settlement"]
    assert (draft["status"], draft["unpricedJobs"]) == ("DRAFT", 0)
    adjusted = gql.data(
        doc("AdjustOutletSettlement"),
        {"input": {"id": draft["id"], "amount": "12.5", "reason": "夜间加班"}},
        as_user="clerk-sh",
    )["adjustOutletSettlement"]
    total = adjusted["settlement"]["total"]["amount"]
    done = gql.data(doc("ConfirmOutletSettlement"), {"input": {"id": draft["id"]}}, as_user="hq")
    assert done["confirmOutletSettlement"]["settlement"]["status"] == "CONFIRMED"
    late = gql.data(
        doc("AdjustOutletSettlement"),
        {"input": {"id": draft["id"], "amount": "1", "reason": "x"}},
        as_user="hq",
        locale="zh-CN",
    )["adjustOutletSettlement"]
    assert late["errors"][0]["code"] == "SETTLEMENT_NOT_DRAFT"
    assert "结算单" in late["errors"][0]["message"]
    paid = gql.data(
        doc("MarkOutletSettlementPaid"),
        {"input": {"id": draft["id"], "reference": "BANK-9"}},
        as_user="hq",
    )["markOutletSettlementPaid"]["settlement"]
    assert paid["status"] == "PAID"

    def settled(user: str) -> list[dict[str, Any]]:
        page = gql.data(doc("OutletSettlements"), {"month": month}, as_user=user)
        return [e["node"] for e in page["outletSettlements"]["edges"]]

    mine = settled("tech-sh-2")
    assert [s["id"] for s in mine] == [draft["id"]]
    assert mine[0]["total"]["amount"] == total
    assert mine[0]["adjustments"][0]["reason"] == "夜间加班"
    assert settled("clerk-bj") == []

    exported = world.client.get(
        f"/export/settlements.csv?month={month}",
        headers={"Authorization": f"Bearer {gql.token('hq')}", "Accept-Language": "en"},
    )
    assert exported.status_code == 200
    lines = exported.text.splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Service outlet,Month,Status")
    assert any(line.startswith(f"徐汇服务网点,{month},PAID") for line in lines[1:])

    def exported_rows(query: str) -> list[str]:
        found = world.client.get(
            f"/export/settlements.csv?{query}",
            headers={"Authorization": f"Bearer {gql.token('hq')}"},
        )
        assert found.status_code == 200, found.text
        return found.text.splitlines()[1:]

    assert [r.split(",")[1] for r in exported_rows(f"month={month}&outlet={code}")] == [month]
    assert len(exported_rows(f"outlet={code}")) == 1  # any month, this outlet
    assert exported_rows(f"month={month}&outlet=NO-SUCH-OUTLET") == []
    xlsx = world.client.get(
        "/export/settlements.xlsx",
        headers={"Authorization": f"Bearer {gql.token('hq')}"},
    )
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"


def test_articles_are_written_searched_and_suggested_on_a_ticket(world: World) -> None:
    gql, url = world.gql, world.url
    ticket_id, model = fetch(
        url,
        select(m.Ticket.id, m.Device.device_model_id)
        .join(m.Device, m.Device.id == m.Ticket.device_id)
        .limit(1),
    )[0]
    code = scalars(url, select(m.FaultCode.code).limit(1))[0]
    saved = gql.data(
        doc("UpsertArticle"),
        {
            "input": {
                "titleZh": "水机漏水的处理",
                "titleEn": "A leaking purifier",
                "bodyZh": "检查快接头是否松动。",
                "modelIds": [global_id("DeviceModel", model)],
                "faultCodes": [code],
                "publish": True,
            }
        },
        as_user="hotline",
    )["upsertArticle"]
    assert saved["errors"] == []
    article = saved["article"]
    assert article["revisions"][0]["published"] is True

    def found(user: str, **variables: Any) -> list[str]:
        page = gql.data(doc("Articles"), variables, as_user=user)["articles"]
        return [e["node"]["id"] for e in page["edges"]]

    assert article["id"] in found("tech-sh-1", search="漏水")
    assert article["id"] in found("agent-1", search="leaking", faultCode=code)
    assert found("tech-sh-1", search="漏电") == []
    english = gql.data(doc("Articles"), {"search": "快接头"}, as_user="tech-sh-1", locale="en")
    assert english["articles"]["edges"][0]["node"]["title"] == "A leaking purifier"
    assert gql.post(doc("Articles"), {}, as_user="customer-1").json()["errors"]
    ticket = gql.data(
        "query($id: ID!) { ticket(id: $id) { suggestedArticles { id title } "
        "jobs { suggestedArticles { id } } } }",
        {"id": global_id("Ticket", ticket_id)},
        as_user="hq",
    )["ticket"]
    assert article["id"] in [a["id"] for a in ticket["suggestedArticles"]]
    # A page of tickets and their jobs asks for its suggestions in a fixed number of
    # statements, however long the page (no query per ticket).
    page = (
        "query($n: Int) { tickets(first: $n) { edges { node { suggestedArticles { id } "
        "jobs { suggestedArticles { id } } } } } }"
    )

    def statements(n: int) -> int:
        with count_statements(world.client) as seen:
            gql.data(page, {"n": n}, as_user="hq")
        return len(seen)

    few, many, more = statements(3), statements(20), statements(40)
    assert many == more  # a longer page costs nothing more
    # At most one more round than the short page: the jobs' suggestions (their devices,
    # terms and articles) when none of the newest three tickets has a job yet.
    assert many <= few + 3


@pytest.fixture(scope="module")
def strategy(world: World) -> Any:
    _register_scalars(asyncio.run(_real_ids(world.url)))
    amounts = st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        st.text(max_size=8),
    )
    schemathesis.graphql.scalar("Decimal", amounts.map(nodes.String))
    schema = schemathesis.graphql.from_path(SCHEMA_FILE)
    operations = [
        r.ok()
        for r in schema.get_all_operations()
        if isinstance(r, Ok) and r.ok().label.split(".")[-1] in MINE
    ]
    assert {o.label.split(".")[-1] for o in operations} == MINE
    return st.one_of([o.as_strategy() for o in operations])


@pytest.mark.parametrize("user", ["hq", "hotline", "tech-sh-2"])
def test_generated_requests_to_the_new_operations_never_fail(
    world: World, strategy: Any, user: str
) -> None:
    broken: list[str] = []
    answered: list[int] = []

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def send(case: Any) -> None:
        query = case.body if isinstance(case.body, str) else case.body["query"]
        response = world.gql.post(query, as_user=user)
        codes = {e.get("extensions", {}).get("code") for e in _errors(response)}
        if response.status_code >= 500 or "INTERNAL_ERROR" in codes:
            broken.append(query)
        answered.append(response.status_code)

    send()
    assert broken == [], broken[:3]
    assert answered.count(200) > len(answered) // 4  # the resolvers ran, not only validation


def test_the_engineers_phone_holds_the_articles_for_its_devices_models(world: World) -> None:
    gql, url = world.gql, world.url
    user = scalars(url, select(m.User.id).where(m.User.username == "tech-sh-1"))[0]
    tech = scalars(url, select(m.Technician.id).where(m.Technician.user_id == user))[0]
    models = scalars(
        url,
        select(m.Device.device_model_id)
        .join(m.Ticket, m.Ticket.device_id == m.Device.id)
        .join(m.Job, m.Job.ticket_id == m.Ticket.id)
        .where(m.Job.technician_id == tech),
    )
    assert models
    others = scalars(url, select(m.DeviceModel.id).where(m.DeviceModel.id.not_in(models)))

    def save(model: str, **extra: Any) -> str:
        variables = {
            "input": {"titleZh": "离线手册", "modelIds": [global_id("DeviceModel", model)]}
        }
        variables["input"].update(extra)
        saved = gql.data(doc("UpsertArticle"), variables, as_user="hq")["upsertArticle"]
        assert saved["errors"] == []
        return str(saved["article"]["id"])

    mine = save(models[0], publish=True)
    raw = scalars(url, select(m.Article.id).order_by(m.Article.created_at.desc()).limit(1))[0]
    draft = save(models[0])  # never published: not on the phone
    if others:
        save(others[0], publish=True)  # another model's: not on the phone
    phone = Phone(world.client, gql.token("tech-sh-1"), schema_version=5)
    phone.pull()
    held = phone.local["articles"]
    assert raw in held
    assert held[raw]["title_zh"] == "离线手册"
    assert held[raw]["model_ids_json"] == json.dumps([models[0]])
    assert len(held) == 1 or all(
        json.loads(a["model_ids_json"])[0] in models for a in held.values()
    )
    assert split_global_id(draft)[1] not in held
    old = Phone(world.client, gql.token("tech-sh-1"), schema_version=4)
    assert "articles" not in old.pull()["changes"]
    gql.data(
        doc("UpsertArticle"), {"input": {"id": mine, "titleZh": "x", "retire": True}}, as_user="hq"
    )
    assert raw in phone.pull()["changes"]["articles"]["deleted"]
