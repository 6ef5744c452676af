"""Bulk import through the domain, on the shared database (rows made unique per run):
GB18030 with Chinese headers, the error report, a dry run, the same file while it is still
being applied, resuming after an interruption, the same file twice, and XLSX with a column
map for the other kinds."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from typing import Any

from sqlalchemy import func, select, update

from tests.factories import execute, fetch, scalars, unique, xlsx
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.agents.dealers import AgentChange, upsert_agent
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.errors import DomainError
from wellspring.domain.imports.runs import LEASE, ImportFile, Report, content_hash, run_import
from wellspring.domain.models.enums import CardStatus, ImportKind, ImportStatus
from wellspring.i18n import EN, ZH, message
from wellspring.tabular.reading import read_table


def _phone() -> str:
    return f"17{random.randrange(10**8, 10**9)}"


def _run(url: str, kind: ImportKind, content: bytes, **options: Any) -> Report:
    column_map = options.pop("column_map", {})
    branch = options.pop("branch", None)
    dry_run = options.pop("dry_run", False)
    table = read_table(content)
    file = ImportFile(
        kind=kind,
        file_name="test",
        content_hash=content_hash(content, kind, column_map, branch),
        headers=table.headers,
        rows=table.rows,
        column_map=column_map,
        branch_code=branch,
        dry_run=dry_run,
    )

    async def go() -> Report:
        engine = create_engine(url)
        try:
            factory = session_factory(engine)
            return await run_import(
                lambda: transaction(factory), SYSTEM, file, now=m.utcnow(), **options
            )
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _count(url: str, model: Any) -> int:
    return int(scalars(url, select(func.count()).select_from(model))[0])


def test_customers_in_gb18030_report_dry_run_resume_and_twice(database_url: str) -> None:
    phones = [_phone() for _ in range(5)]
    lines = ["客户姓名,手机号,省,市,区,街道,小区,楼栋,房号"]
    lines += [
        f"导入客户{i},{p},上海市,上海市,闵行,莘庄镇,春申{i}村,{i}号楼,30{i}"
        for i, p in enumerate(phones)
    ]
    lines += [
        "号码错,12345,上海市,上海市,闵行区,,,,",  # line 7
        f"区错,{_phone()},上海市,上海市,火星区,,,,",  # line 8
        f"导入客户0,{phones[0]},上海市,上海市,闵行区,,,,",  # line 9: repeats line 2
        ",,,,,,,,",  # blank: skipped
    ]
    content = "\r\n".join(lines).encode("gb18030")
    before, runs_before = _count(database_url, m.Customer), _count(database_url, m.ImportRun)

    dry = _run(database_url, ImportKind.CUSTOMERS, content, branch="SH", dry_run=True, record=False)
    found = [(e.line, e.column, e.code) for e in dry.errors]
    assert found == [
        (7, "phone", "IMPORT_INVALID_PHONE"),
        (8, "district", "IMPORT_UNKNOWN_DISTRICT"),
        (9, "phone", "IMPORT_DUPLICATE_IN_FILE"),
    ]
    assert (dry.total, dry.to_apply, dry.status) == (8, 5, ImportStatus.DONE)
    district = dry.errors[1]
    assert "闵行区" in message(district.code, ZH, **district.params)
    assert "district 火星区" in message(district.code, EN, **district.params)
    assert _count(database_url, m.Customer) == before
    assert _count(database_url, m.ImportRun) == runs_before  # a dry run writes nothing at all

    stopped = _run(
        database_url, ImportKind.CUSTOMERS, content, branch="SH", batch_size=2, stop_after_batches=1
    )
    assert (stopped.status, stopped.applied) == (ImportStatus.RUNNING, 2)
    assert _count(database_url, m.Customer) == before + 2

    # While its process may still be applying it (a heartbeat within the lease), the same
    # file again gets the run's progress and applies nothing beside it.
    beside = _run(database_url, ImportKind.CUSTOMERS, content, branch="SH", batch_size=2)
    assert (beside.run_id, beside.status, beside.applied) == (
        stopped.run_id,
        ImportStatus.RUNNING,
        2,
    )
    assert _count(database_url, m.Customer) == before + 2
    # Its process stopped: no heartbeat for longer than the lease. Now it resumes.
    stale = m.utcnow() - LEASE - dt.timedelta(seconds=1)
    execute(
        database_url,
        update(m.ImportRun).where(m.ImportRun.id == stopped.run_id).values(heartbeat_at=stale),
    )
    seen: list[tuple[int, int]] = []
    resumed = _run(
        database_url,
        ImportKind.CUSTOMERS,
        content,
        branch="SH",
        batch_size=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert resumed.run_id == stopped.run_id
    assert (resumed.status, resumed.applied, resumed.batches_done) == (ImportStatus.DONE, 5, 3)
    assert seen[-1] == (8, 8)
    assert _count(database_url, m.Customer) == before + 5
    stored = fetch(database_url, select(m.ImportRun).where(m.ImportRun.id == resumed.run_id))[0][0]
    assert (stored.applied_rows, stored.error_rows, stored.status) == (5, 3, ImportStatus.DONE)
    assert _count(database_url, m.ImportRowError) >= 3

    again = _run(database_url, ImportKind.CUSTOMERS, content, branch="SH")
    assert (again.applied, again.unchanged, len(again.errors)) == (0, 5, 3)
    assert _count(database_url, m.Customer) == before + 5

    address = fetch(
        database_url,
        select(m.Address)
        .join(m.Customer, m.Customer.id == m.Address.customer_id)
        .where(m.Customer.phone == phones[3]),
    )[0][0]
    assert (address.city, address.district, address.community) == ("上海市", "闵行区", "春申3村")
    assert address.is_approximate
    assert address.latitude is not None
    codes = scalars(database_url, select(m.Customer.code).where(m.Customer.phone.in_(phones)))
    assert len(set(codes)) == 5
    assert all(c.startswith("C") for c in codes)


def test_parts_devices_cards_stock_engineers(database_url: str) -> None:
    model = fetch(database_url, select(m.DeviceModel.code).limit(1))[0][0]
    sku = unique("SKU")
    # A legacy ERP sheet, read through a column map.
    parts = xlsx(
        [
            ["物料编码", "物料名称", "成本价", "适用机型"],
            [sku, "滤芯", 12.5, model],
            [unique("S"), "泵", "x", "NOPE"],
        ]
    )
    report = _run(
        database_url, ImportKind.PARTS, parts, column_map={"物料编码": "sku", "物料名称": "name"}
    )
    assert [(e.line, e.code) for e in report.errors] == [
        (3, "IMPORT_UNKNOWN_MODEL"),  # compatible_models
        (3, "IMPORT_INVALID_NUMBER"),  # cost
    ]
    assert report.applied == 1
    assert (
        _run(
            database_url,
            ImportKind.PARTS,
            parts,
            column_map={"物料编码": "sku", "物料名称": "name"},
        ).unchanged
        == 1
    )

    phone = _phone()
    _run(
        database_url,
        ImportKind.CUSTOMERS,
        f"name,phone,province,city,district\n设备客户,{phone},北京市,北京市,朝阳区\n".encode(),
        branch="BJ",
    )
    bound = fetch(
        database_url,
        select(m.AccountCard.card_number).where(m.AccountCard.device_id.is_not(None)).limit(1),
    )[0][0]
    serial, card = unique("SN"), unique("9")[:20]
    devices = "\ufeff机身号,型号,手机号,卡号,供水到期日,剩余桶数\n" + "\n".join(
        [
            f"{serial},{model},{phone},{card},2027-06-30,3",
            f"{unique('SN')},NOPE,{phone},,,",
            f"{unique('SN')},{model},{phone},{bound},,",
            f"{unique('SN')},{model},13000000000,,,",
        ]
    )
    report = _run(database_url, ImportKind.DEVICES, devices.encode("utf-8"))
    assert [(e.line, e.code) for e in report.errors] == [
        (3, "IMPORT_UNKNOWN_MODEL"),
        (4, "IMPORT_CARD_ALREADY_BOUND"),
        (5, "IMPORT_UNKNOWN_CUSTOMER"),
    ]
    assert report.applied == 1
    device = fetch(database_url, select(m.Device).where(m.Device.serial_number == serial))[0][0]
    new_card = fetch(database_url, select(m.AccountCard).where(m.AccountCard.card_number == card))[
        0
    ][0]
    assert (new_card.device_id, new_card.status) == (device.id, CardStatus.ACTIVE)
    assert device.address_id is not None
    assert device.branch_id == new_card.branch_id
    assert _run(database_url, ImportKind.DEVICES, devices.encode("utf-8")).unchanged == 1

    spare = unique("8")[:20]
    cards = _run(
        database_url, ImportKind.CARDS, f"卡号,仓库\n{spare},WH-HQ\n{spare},WH-HQ\n".encode()
    )
    assert (cards.applied, [e.code for e in cards.errors]) == (1, ["IMPORT_DUPLICATE_IN_FILE"])

    stock = f"仓库,配件编号,数量,货位\nWH-HQ,{sku},40,A-01-1\nWH-HQ,NOPE,1,\n".encode()
    assert _run(database_url, ImportKind.STOCK, stock).applied == 1
    assert _run(database_url, ImportKind.STOCK, stock).unchanged == 1
    balance = fetch(
        database_url,
        select(m.StockBalance.quantity, m.StockBalance.location)
        .join(m.Part, m.Part.id == m.StockBalance.part_id)
        .where(m.Part.sku == sku),
    )
    assert [tuple(b) for b in balance] == [(40, "A-01-1")]

    username = unique("eng")
    header = "用户名,工程师姓名,分公司,技能,上班时间,下班时间,工作日"
    row = f"{username},王工,SH,REPAIR;INSTALL,08:00,17:00,1;2;3"
    engineers = f"{header}\n{row}\n".encode()
    assert _run(database_url, ImportKind.ENGINEERS, engineers).applied == 1
    assert _run(database_url, ImportKind.ENGINEERS, engineers).unchanged == 1
    van = scalars(
        database_url, select(m.Warehouse.code).where(m.Warehouse.code == f"VAN-{username}")
    )
    assert van == [f"VAN-{username}".upper()]


def _new_agent(url: str, code: str) -> str:
    """A dealer of SH made the way HQ makes one; its id, or the refusal's error code."""

    async def go() -> str:
        engine = create_engine(url)
        try:
            async with transaction(session_factory(engine)) as session:
                sh = await session.scalar(select(m.Branch.id).where(m.Branch.code == "SH"))
                change = AgentChange(code=code, name="大小写代理商", branch_id=sh)
                return (await upsert_agent(session, SYSTEM, change=change)).id
        except DomainError as error:
            return error.code
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_a_dealer_code_names_one_dealer_in_any_case(database_url: str) -> None:
    """A lookalike of a dealer's code ("ag-sh-01" beside "AG-SH-01") was accepted, and an
    import naming the code (looked up upper-cased) put customers under either dealer."""
    code = unique("ag").lower()
    dealer = _new_agent(database_url, code)
    assert scalars(database_url, select(m.Agent.code).where(m.Agent.id == dealer)) == [code.upper()]
    assert _new_agent(database_url, code.upper()) == "DUPLICATE_CODE"
    phones = [_phone(), _phone()]
    lines = ["客户姓名,手机号,省,市,区,代理商编号"]
    lines += [
        f"客户{i},{p},上海市,上海市,闵行区,{c}"
        for i, (p, c) in enumerate(zip(phones, (code, code.upper()), strict=True))
    ]
    report = _run(database_url, ImportKind.CUSTOMERS, "\r\n".join(lines).encode("utf-8"))
    assert (report.applied, report.errors) == (2, [])
    owners = scalars(database_url, select(m.Customer.agent_id).where(m.Customer.phone.in_(phones)))
    assert owners == [dealer, dealer]
