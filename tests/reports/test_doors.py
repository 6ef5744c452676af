"""The reports through their doors on the hand-made world: the ServiceKpis document, the other
report queries, the XLSX/CSV exports (opened with openpyxl: a chart on every sheet), the
monthly workbook over HTTP and from the command line, and generated values that never 5xx."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from graphql_relay import to_global_id
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.conftest import GraphQL, make_settings
from tests.reports.world import BRANCH_A, PASSWORD, World
from wellspring.api.app import create_app
from wellspring.api.cli import main
from wellspring.domain.models.enums import Dissatisfaction
from wellspring.i18n.terms import DISSATISFACTION
from wellspring.settings import get_settings

CLIENTS = Path(__file__).resolve().parents[2] / "clients"
NOV = {"from": "2026-11-01", "to": "2026-11-30"}
Env = tuple[str, World]


def _charts(sheet: Any) -> list[Any]:
    """The charts openpyxl read from a sheet (it keeps them on a private attribute)."""
    charts: list[Any] = sheet._charts
    return charts


class Doors(GraphQL):
    DEFAULT_PASSWORD = PASSWORD

    def get(self, path: str, user: str | None, **params: str) -> Any:
        headers = {"Accept-Language": "en"}
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return self.client.get(path, params=params, headers=headers)


@pytest.fixture(scope="module")
def doors(reports_world: Env) -> Iterator[Doors]:
    with TestClient(create_app(make_settings(reports_world[0]))) as client:
        yield Doors(client)


def test_the_service_kpis_document(doors: Doors, reports_world: Env) -> None:
    document = (CLIENTS / "dispatcher" / "ServiceKpis.graphql").read_text("utf-8")
    k = doors.data(document, NOV, as_user="r-hq")["serviceKpis"]
    assert (k["opened"], k["open"], k["overdue"], k["firstTimeFixRate"]) == (5, 2, 1, 0.5)
    assert (k["hoursToArrival"], k["hoursToCompletion"], k["csat"]) == (3.0, 24.7, 3.67)
    branch_b = to_global_id("Branch", reports_world[1].ids["B"])
    refused = doors.post(document, {**NOV, "branchId": branch_b}, as_user="r-clerk").json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for user in ("r-t1", "r-customer"):
        body = doors.post(document, NOV, as_user=user).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    late = doors.post(document, {"from": "2026-12-01", "to": "2026-11-01"}, as_user="r-hq")
    assert late.json()["errors"][0]["extensions"]["code"] == "REPORT_RANGE_INVERTED"


REPORTS = """query($from: Date!, $to: Date!) {
  openTicketsReport(from: $from, to: $to) { branch { code } type opened open overdue }
  repairsReport(from: $from, to: $to) { faultCode deviceModel { code } repairs }
  partsConsumedReport(from: $from, to: $to) { sku deviceModel { code } quantity }
  cardsReport(from: $from, to: $to) { branch { code } opened cancelled active }
  rechargesReport(from: $from, to: $to) { branch { code } plan recharges quantity amount }
  supplyExpiringReport(from: $from, to: $to) { branch { code } devices }
  engineersReport(from: $from, to: $to) {
    technician { id } completed failed travelKm hoursTravelling scores averageScore }
  followUpsReport(from: $from, to: $to) {
    month scores averageScore byScore { score count } dissatisfaction { category count } }
}"""


def test_the_report_queries_as_hq_and_as_the_agent(doors: Doors) -> None:
    hq = doors.data(REPORTS, NOV, as_user="r-hq")
    assert {(r["faultCode"], r["deviceModel"]["code"]) for r in hq["repairsReport"]} == {
        ("E01", "RM1"),
        ("E02", "RM2"),
    }
    assert hq["rechargesReport"] == [
        {
            "branch": {"code": "RA"},
            "plan": "BUCKETS",
            "recharges": 1,
            "quantity": 12,
            "amount": "96.00",
        }
    ]
    assert hq["followUpsReport"][0]["dissatisfaction"] == [{"category": "SLOW_REPAIR", "count": 1}]
    agent = doors.data(REPORTS, NOV, as_user="r-agent")
    assert {r["branch"]["code"] for r in agent["openTicketsReport"]} == {"RA"}
    assert sum(r["opened"] for r in agent["openTicketsReport"]) == 2  # its customer's two
    assert agent["rechargesReport"] == []
    assert agent["engineersReport"] == []


def test_xlsx_export_has_a_native_chart_and_the_figures(doors: Doors) -> None:
    response = doors.get("/reports/repairs.xlsx", "r-hq", **NOV)
    assert response.status_code == 200, response.text
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["故障与机型"]
    assert [c.value for c in sheet[1]] == ["故障代码", "机型", "维修次数"]
    assert sorted((r[0], r[2]) for r in sheet.iter_rows(min_row=2, values_only=True)) == [
        ("E01", 1),
        ("E02", 1),
    ]
    assert len(_charts(sheet)) == 1


def test_csv_export_and_its_refusals(doors: Doors) -> None:
    response = doors.get("/reports/cards.csv", "r-clerk", **NOV)
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["分公司", "开户", "退卡", "在用"], ["甲分公司", "1", "0", "2"]]
    assert doors.get("/reports/cards.csv", None, **NOV).status_code == 401
    assert doors.get("/reports/cards.csv", "r-t1", **NOV).status_code == 403
    assert doors.get("/reports/cards.csv", "r-clerk", **NOV, branch="RB").status_code == 403
    unknown = doors.get("/reports/nothing.csv", "r-hq", **NOV)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "REPORT_UNKNOWN")
    assert doors.get("/reports/cards.csv", "r-hq", to="2026-11-30").status_code == 400
    assert doors.get("/reports/monthly.csv", "r-hq", month="2026-11").status_code == 400


def test_report_columns_name_dissatisfaction_in_chinese(doors: Doors) -> None:
    """The follow-ups report headed its columns 不满意：SLOW_REPAIR."""
    response = doors.get("/reports/follow-ups.csv", "r-hq", **NOV)
    assert response.status_code == 200, response.text
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "不满意：维修慢" in header
    assert not [c for c in header if re.search("[A-Za-z]", c)]
    assert set(DISSATISFACTION) == {d.value for d in Dissatisfaction}


def test_monthly_workbook_over_http_and_from_the_command_line(
    doors: Doors, reports_world: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = doors.get("/reports/monthly.xlsx", "r-hq", month="2026-11")
    assert response.status_code == 200, response.text
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["服务指标", "未结与超时工单", "故障与机型"]
    assert len(book.sheetnames) == 9
    assert all(len(_charts(sheet)) == 1 for sheet in book.worksheets)
    bad = doors.get("/reports/monthly.xlsx", "r-hq", month="2026-13")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "INVALID_ARGUMENT")
    monkeypatch.setenv("WELLSPRING_DATABASE_URL", reports_world[0])
    get_settings.cache_clear()  # the command reads the settings anew, with this database
    out = tmp_path / "m.xlsx"
    try:
        clerk = ["--user", "r-clerk", "-o", str(out)]
        assert main(["report", "monthly", "--month", "2026-11", *clerk]) == 0
        kpis = openpyxl.load_workbook(out)["服务指标"]
        first = [r for r in kpis.iter_rows(min_row=2, max_row=2, values_only=True)]
        assert first == [("新开工单", 4)]
        assert main(["report", "monthly", "--month", "nope"]) == 2
        engineer = ["--user", "r-t1", "-o", str(out)]
        assert main(["report", "monthly", "--month", "2026-11", *engineer]) == 2
    finally:
        get_settings.cache_clear()  # later tests read their own settings, not this database


FIELDS = (
    "serviceKpis { opened csat }",
    "openTicketsReport { opened }",
    "repairsReport { repairs }",
    "partsConsumedReport { quantity }",
    "cardsReport { active }",
    "rechargesReport { amount }",
    "supplyExpiringReport { devices }",
    "engineersReport { completed }",
    "followUpsReport { month }",
)
_day = st.one_of(
    st.dates().map(lambda d: d.isoformat()), st.text(max_size=12), st.just("2026-02-30")
)
_id = st.one_of(st.none(), st.text(max_size=40), st.just(to_global_id("Branch", BRANCH_A)))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    field=st.sampled_from(FIELDS),
    start=_day,
    end=_day,
    branch=_id,
    user=st.sampled_from(["r-hq", "r-clerk", "r-agent"]),
)
# Found by this test on PostgreSQL: a NUL in the export's branch code reached the database.
@example(field=FIELDS[0], start="2026-11-01", end="2026-11-30", branch="\x00", user="r-hq")
def test_generated_values_never_fail_the_server(
    doors: Doors, field: str, start: str, end: str, branch: str | None, user: str
) -> None:
    name, _, selection = field.partition(" ")
    query = (
        "query($b: ID, $f: Date!, $t: Date!) "
        f"{{ {name}(branchId: $b, from: $f, to: $t) {selection} }}"
    )
    response = doors.post(query, {"b": branch, "f": start, "t": end}, as_user=user)
    assert response.status_code < 500
    codes = [e.get("extensions", {}).get("code") for e in response.json().get("errors", [])]
    assert "INTERNAL_ERROR" not in codes
    http = doors.get(
        "/reports/engineers.xlsx", user, **{"from": start, "to": end, "branch": branch or ""}
    )
    assert http.status_code < 500


def test_a_filter_stage_takes_a_capacity_in_buckets(doors: Doors) -> None:
    document = (CLIENTS / "dispatcher" / "UpsertDeviceModel.graphql").read_text("utf-8")
    document = document.replace("lifetimeDays", "lifetimeDays capacityBuckets")
    stages = [
        {"stage": 1, "name": "PP棉", "lifetimeDays": 90, "capacityBuckets": 300},
        {"stage": 2, "name": "RO膜", "lifetimeDays": 720},
    ]
    new = {
        "code": "RM-CAP",
        "name": "容量机",
        "supplyMode": "BUCKETS",
        "listPrice": "0",
        "filters": stages,
    }
    saved = doors.data(document, {"input": new}, as_user="r-hq")["upsertDeviceModel"]
    assert saved["errors"] == []
    got = [(f["stage"], f["capacityBuckets"]) for f in saved["deviceModel"]["filters"]]
    assert sorted(got) == [(1, 300), (2, None)]
    stages[0]["capacityBuckets"] = 0
    refused = doors.data(document, {"input": new}, as_user="r-hq")["upsertDeviceModel"]
    assert refused["errors"][0]["code"] == "INVALID_FILTER_STAGE"
