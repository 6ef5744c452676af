"""StartImport and Import($id) as HQ would use them; exports with the list's visibility; and
generated inputs for both doors (arbitrary files, arbitrary query parameters): never a 5xx."""

from __future__ import annotations

import base64
import datetime as dt
import io
import random
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from starlette.testclient import TestClient

from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.factories import fetch, scalars
from tests.sheet_files import cell, count_rows, workbook, zip_bomb
from wellspring.domain import models as m
from wellspring.domain.errors import DomainError
from wellspring.domain.exports.lists import FILTERS
from wellspring.domain.imports.runs import ImportFile, source_rows
from wellspring.domain.models.enums import ImportKind, TicketStatus
from wellspring.tabular.reading import BLANK_RUN, MAX_UNPACKED_MIB, read_table


def _customers(url: str) -> int:
    return int(scalars(url, select(func.count()).select_from(m.Customer))[0])


def _start(gql: GraphQL, content: bytes, user: str = "hq", **extra: object) -> Any:
    variables = {
        "input": {
            "kind": "CUSTOMERS",
            "fileName": "客户.csv",
            "content": base64.b64encode(content).decode(),
            **extra,
        }
    }
    return gql.post(doc("StartImport"), variables, as_user=user).json()


def test_hq_imports_through_the_api_and_reads_the_report(gql: GraphQL, database_url: str) -> None:
    phone = f"16{random.randrange(10**8, 10**9)}"
    content = (
        "姓名,电话,省份,城市,区县,分公司\n"
        f"接口客户,{phone},广东省,广州市,天河区,SH\n"
        "坏号码,999,广东省,广州市,天河区,SH\n"
    ).encode()
    before = _customers(database_url)
    dry = _start(gql, content, dryRun=True)["data"]["startImport"]
    assert dry["errors"] == []
    assert dry["import"]["status"] == "DONE"
    assert (dry["import"]["appliedRows"], dry["import"]["errorRows"]) == (0, 1)
    assert _customers(database_url) == before

    done = _start(gql, content)["data"]["startImport"]["import"]
    assert (done["status"], done["appliedRows"], done["progress"]) == ("DONE", 1, 1.0)
    assert _customers(database_url) == before + 1
    again = _start(gql, content)["data"]["startImport"]["import"]
    assert (again["appliedRows"], again["unchangedRows"]) == (0, 1)
    assert _customers(database_url) == before + 1

    report = gql.data(doc("Import"), {"id": done["id"]}, as_user="hq", locale="zh-CN")["import"]
    edges = report["errors"]["edges"]
    assert [(e["node"]["line"], e["node"]["column"], e["node"]["code"]) for e in edges] == [
        (3, "phone", "IMPORT_INVALID_PHONE")
    ]
    assert "电话号码格式不正确" in edges[0]["node"]["message"]

    clerk = _start(gql, content, user="clerk-sh")
    assert (
        clerk.get("data", {}).get("startImport") is None or clerk["data"]["startImport"]["errors"]
    )
    assert "FORBIDDEN" in str(clerk)
    bad = _start(gql, b"\x00\x01garbage")["data"]["startImport"]
    assert [e["code"] for e in bad["errors"]] == ["IMPORT_UNREADABLE_FILE"]
    variables = {"input": {"kind": "CUSTOMERS", "fileName": "x", "content": "@@not base64"}}
    broken = gql.data(doc("StartImport"), variables, as_user="hq")["startImport"]
    assert [e["code"] for e in broken["errors"]] == ["IMPORT_INVALID_CONTENT"]


def test_a_large_file_finishes_in_the_background(
    client: TestClient, gql: GraphQL, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from wellspring.schema.imports import fields

    monkeypatch.setattr(fields, "INLINE_ROWS", 1)  # any file of two rows or more is "large"
    phones = [f"15{random.randrange(10**8, 10**9)}" for _ in range(3)]
    rows = [f"后台客户{i},{p},浙江省,杭州市,西湖区" for i, p in enumerate(phones)]
    content = ("name,phone,province,city,district\n" + "\n".join(rows)).encode()
    before = _customers(database_url)
    started = _start(gql, content, branchCode="SH")["data"]["startImport"]["import"]
    assert started["status"] == "RUNNING"
    assert started["appliedRows"] == 0

    async def finish() -> None:
        await asyncio.gather(*list(client.app.state.graphql.background))  # type: ignore[attr-defined]

    assert client.portal is not None
    client.portal.call(finish)
    done = gql.data(doc("Import"), {"id": started["id"]}, as_user="hq")["import"]
    assert (done["status"], done["appliedRows"], done["progress"]) == ("DONE", 3, 1.0)
    assert _customers(database_url) == before + 3


def _export(
    client: TestClient, gql: GraphQL, path: str, user: str | None, lang: str = "zh-CN",
    **params: str,
) -> Any:  # fmt: skip
    headers = {"Accept-Language": lang}
    if user is not None:
        headers["Authorization"] = f"Bearer {gql.token(user)}"
    return client.get(path, params=params, headers=headers)


def test_exports_follow_the_list(client: TestClient, gql: GraphQL) -> None:
    import csv

    import openpyxl

    clerk = _export(client, gql, "/export/tickets.csv", "clerk-sh")
    assert clerk.status_code == 200
    assert clerk.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(clerk.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "类型", "状态"]
    listed = gql.data(doc("Tickets"), {"first": 1}, as_user="clerk-sh")["tickets"]["totalCount"]
    assert len(rows) - 1 == listed > 0
    assert {r[6] for r in rows[1:]} == {"上海分公司"}  # the clerk's branch only
    # Type, status and priority in words: a Chinese sheet carries no English code.
    coded = {cell for r in rows[1:] for cell in r[1:4]}
    assert coded
    assert not any(cell.isascii() for cell in coded), coded
    english = _export(client, gql, "/export/tickets.csv", "clerk-sh", lang="en")
    en_rows = list(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert en_rows[0][:3] == ["Number", "Type", "Status"]
    assert {r[2] for r in en_rows[1:]} <= {s.value for s in TicketStatus}  # the filters' codes
    everyone = _export(client, gql, "/export/tickets.csv", "hq")
    assert len(everyone.content.decode("utf-8-sig").splitlines()) > len(rows)

    book = _export(client, gql, "/export/customers.xlsx", "hq", search="")
    assert book.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(book.content), read_only=True).worksheets[0]
    first = next(sheet.iter_rows(values_only=True))
    assert first[:2] == ("客户编号", "名称")

    jobs = _export(client, gql, "/export/jobs.csv", "clerk-sh", status="ASSIGNED,EN_ROUTE")
    assert jobs.status_code == 200
    assert _export(client, gql, "/export/tickets.csv", None).status_code == 401
    assert _export(client, gql, "/export/tickets.csv", "tech-sh-1").status_code == 403
    assert _export(client, gql, "/export/nothing.csv", "hq").status_code == 400
    bad = _export(client, gql, "/export/tickets.csv", "hq", status="NOPE")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "EXPORT_INVALID_FILTER")
    # Another branch's list is refused as its report is, never an empty file.
    other = _export(client, gql, "/export/tickets.csv", "clerk-sh", branch="BJ")
    days = {"from": "2026-01-01", "to": "2026-01-31"}
    report = _export(client, gql, "/reports/kpis.csv", "clerk-sh", branch="BJ", **days)
    assert (other.status_code, report.status_code) == (403, 403)
    assert other.json()["error"]["code"] == "FORBIDDEN"
    assert _export(client, gql, "/export/tickets.csv", "clerk-sh", branch="SH").status_code == 200
    # from after to: named, not an empty file
    inverted = _export(
        client, gql, "/export/tickets.csv", "hq", **{"from": "2026-02-01", "to": "2026-01-01"}
    )
    assert (inverted.status_code, inverted.json()["error"]["code"]) == (
        400,
        "EXPORT_RANGE_INVERTED",
    )
    assert "from" in inverted.json()["error"]["message"]
    # a filter sent twice is named
    headers = {"Authorization": f"Bearer {gql.token('hq')}", "Accept-Language": "zh-CN"}
    twice = client.get("/export/tickets.csv?status=OPEN&type=REPAIR&status=CLOSED", headers=headers)
    assert twice.json()["error"]["message"] == "筛选条件无效：status"
    # open=false: the tickets that are not open, as the list's filter (it exported every one)
    ended = _export(client, gql, "/export/tickets.csv", "clerk-sh", lang="en", open="false")
    ended_rows = list(csv.reader(io.StringIO(ended.content.decode("utf-8-sig"))))[1:]
    assert ended_rows
    assert {r[2] for r in ended_rows} <= {"CLOSED", "REJECTED", "CANCELLED"}
    assert len(ended_rows) < len(en_rows) - 1


def test_every_download_is_in_the_audit_log(
    client: TestClient, gql: GraphQL, database_url: str
) -> None:
    """Anyone allowed could take every customer's name and phone out, and no one could tell."""

    def last() -> tuple[Any, ...]:
        entry = (
            select(
                m.AuditEntry.action, m.AuditEntry.entity_id, m.AuditEntry.detail, m.User.username
            )
            .join(m.User, m.User.id == m.AuditEntry.actor_id)
            .where(m.AuditEntry.entity_type == "Export")
            .order_by(m.AuditEntry.at.desc(), m.AuditEntry.id.desc())
            .limit(1)
        )
        return tuple(fetch(database_url, entry)[0])

    assert _export(client, gql, "/export/customers.csv", "clerk-sh", search="王").status_code == 200
    assert last() == ("list.exported", "customers", {"filters": {"search": "王"}}, "clerk-sh")
    report = _export(
        client, gql, "/reports/cards.csv", "hq", **{"from": "2026-11-01", "to": "2026-11-30"}
    )
    assert report.status_code == 200
    assert last()[:2] + last()[3:] == ("report.exported", "cards", "hq")
    refused = _export(client, gql, "/export/tickets.csv", "hq", status="NOPE")
    assert refused.status_code == 400
    assert last()[1] == "cards"  # nothing left the system: nothing to log


# The lists filtered by day, and days the day arithmetic overflows on (and the bounds' ends).
DATED = sorted(name.value for name, known in FILTERS.items() if {"from", "to"} & known)
FAR_DAYS = ["0001-01-01", "9999-12-31", "1969-12-31", "2200-01-01"]


def test_days_beyond_the_bounds_are_refused_by_every_dated_export(
    client: TestClient, gql: GraphQL
) -> None:
    assert DATED == ["jobs", "tickets"]
    for name in DATED:
        for fmt in ("csv", "xlsx"):
            for param in ("from", "to"):
                for day in FAR_DAYS:
                    answer = _export(client, gql, f"/export/{name}.{fmt}", "hq", **{param: day})
                    assert answer.status_code == 400, (name, fmt, param, day, answer.text)
                    error = answer.json()["error"]
                    assert error["code"] == "VALUE_OUT_OF_RANGE"
                    assert "1970-01-01 到 2199-12-31" in error["message"]
                ends = {"from": "1970-01-01", "to": "2199-12-31"}
                assert (
                    _export(client, gql, f"/export/{name}.{fmt}", "hq", **ends).status_code == 200
                )


LISTS = ["tickets", "jobs", "customers", "devices", "stock", "follow-ups", "discrepancies", "x"]
NAMES = ["status", "type", "priority", "branch", "overdue", "open", "from", "to", "search"]
NAMES += ["technician", "unassigned", "warehouse", "page", ""]
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@example(name="tickets", fmt="xlsx", params={"to": "9999-12-31"})
@example(name="jobs", fmt="csv", params={"from": "0001-01-01"})
@given(
    name=st.sampled_from(LISTS),
    fmt=st.sampled_from(["csv", "xlsx", "json", ""]),
    params=st.dictionaries(
        st.sampled_from(NAMES) | TEXT,
        TEXT
        | st.sampled_from(["true", "2026-12-03", "OPEN,NEW", "SH", "WH-HQ", *FAR_DAYS])
        | st.dates().map(dt.date.isoformat),
        max_size=4,
    ),
)
def test_export_parameters_never_fail_the_server(
    client: TestClient, gql: GraphQL, name: str, fmt: str, params: dict[str, str]
) -> None:
    response = _export(client, gql, f"/export/{name}.{fmt}", "clerk-sh", **params)
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        assert response.json()["error"]["code"]


CELLS = st.text(alphabet=string.printable + "客户姓名手机号省市区，、", max_size=12)
CSV_FILES = st.tuples(
    st.lists(st.lists(CELLS, max_size=6), max_size=6),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
).map(lambda t: "\n".join(",".join(r) for r in t[0]).encode(t[1], errors="ignore"))
HEADED = st.tuples(
    st.lists(
        st.sampled_from(["name", "phone", "省", "市", "区", "serial", "model", "sku"]),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.lists(CELLS, max_size=8), max_size=5),
).map(lambda t: "\n".join(",".join(r) for r in [t[0], *t[1]]).encode())


def _dry_run(url: str, kind: ImportKind, content: bytes) -> str | None:
    """None when the file was read and checked, else the import error's code."""
    import asyncio

    from wellspring.domain.actor import SYSTEM
    from wellspring.domain.db import create_engine, session_factory, transaction
    from wellspring.domain.imports.runs import run_import

    try:
        table = read_table(content)
        file = ImportFile(kind, "f", "h", table.headers, table.rows, dry_run=True)
        source_rows(file)
    except DomainError as error:
        return error.code

    async def go() -> None:
        engine = create_engine(url)
        try:
            factory = session_factory(engine)
            unit = lambda: transaction(factory)  # noqa: E731
            await run_import(unit, SYSTEM, file, now=m.utcnow(), record=False)
        finally:
            await engine.dispose()

    asyncio.run(go())
    return None


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    raw=st.binary(max_size=300)
    | st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b)
    | CSV_FILES
    | HEADED,
    kind=st.sampled_from(list(ImportKind)),
)
def test_the_parser_answers_any_bytes_with_a_report_or_an_import_error(
    database_url: str, raw: bytes, kind: ImportKind
) -> None:
    code = _dry_run(database_url, kind, raw)
    assert code is None or code.startswith("IMPORT_"), code


def test_crafted_sheets_are_refused_and_a_wide_real_one_imports_off_the_event_loop(
    client: TestClient, gql: GraphQL, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    rows = count_rows(monkeypatch, limit=10 * (BLANK_RUN + 10))
    crafted = {
        "IMPORT_EMPTY_FILE": workbook(f'<row r="1000000000">{cell("A1000000000", "x")}</row>'),
        "IMPORT_UNPACKED_TOO_LARGE": zip_bomb(MAX_UNPACKED_MIB + 1),
    }
    for code, content in crafted.items():
        refused = _start(gql, content, fileName="x.xlsx")["data"]["startImport"]
        assert [e["code"] for e in refused["errors"]] == [code]
    assert rows.count <= BLANK_RUN + 10

    phones = [f"17{random.randrange(10**8, 10**9)}" for _ in range(2)]
    names = ("name", "phone", "province", "city", "district")
    header = "".join(cell(f"{c}1", t) for c, t in zip("ABCDE", names, strict=True))
    lines = [f'<row r="1">{header}{cell("XFD1")}</row>']  # a formatted cell far right
    for r, phone in enumerate(phones, start=2):
        values = (f"宽表客户{r}", phone, "广东省", "广州市", "天河区")
        cells = "".join(cell(f"{c}{r}", v) for c, v in zip("ABCDE", values, strict=True))
        lines.append(f'<row r="{r}">{cells}</row>')
    lines += [f'<row r="{r}">{cell(f"A{r}")}</row>' for r in range(4, 2500)]  # formatted, empty
    content = workbook("".join(lines), dimension="A1:XFD1048576")
    before = _customers(database_url)
    done = _start(gql, content, fileName="宽表.xlsx", branchCode="SH")["data"]["startImport"]
    assert done["errors"] == []
    assert (done["import"]["status"], done["import"]["appliedRows"]) == ("DONE", 2)
    assert _customers(database_url) == before + 2
    assert client.portal is not None
    assert rows.threads  # the sheets were read, and in a worker, not on the event loop:
    assert client.portal.call(threading.get_ident) not in rows.threads
