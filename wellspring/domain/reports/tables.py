"""Every report as a table for the exports: Chinese column names, rows of plain values, and
the chart that goes with it (which column is the category, which are the series).

Names of branches, models and engineers are read once per table (a handful of rows), so an
export shows "上海分公司", not an id; the figures are exactly the report's.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.i18n.terms import DISSATISFACTION

from ..actor import Actor
from ..errors import DomainError
from ..models import Branch, DeviceModel, Technician, User
from . import accounts, engineers, repairs, satisfaction, service


class ReportName(enum.StrEnum):
    KPIS = "kpis"
    OPEN_TICKETS = "open-tickets"
    REPAIRS = "repairs"
    PARTS = "parts"
    CARDS = "cards"
    RECHARGES = "recharges"
    SUPPLY = "supply-expiring"
    ENGINEERS = "engineers"
    FOLLOW_UPS = "follow-ups"


@dataclass(frozen=True)
class Chart:
    kind: str  # xlsxwriter's chart type: column, bar, line, pie
    category: int  # column index of the categories
    series: tuple[int, ...]  # column indexes of the values
    y_title: str


@dataclass(frozen=True)
class Table:
    name: ReportName
    title: str  # sheet title, Chinese
    columns: tuple[str, ...]
    rows: list[list[Any]]
    chart: Chart


def parse_report(name: str) -> ReportName:
    try:
        return ReportName(name)
    except ValueError:
        raise DomainError("REPORT_UNKNOWN", field="report", value=name[:64]) from None


async def _names(session: AsyncSession, model: type[Any], ids: set[str]) -> dict[str, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    if model is Technician:
        rows = await session.execute(
            select(Technician.id, User.display_name)
            .join(User, User.id == Technician.user_id)
            .where(Technician.id.in_(ids))
        )
    else:
        rows = await session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    return {i: n for i, n in rows}


Builder = Callable[[AsyncSession, Actor, dict[str, Any]], Awaitable[Table]]


async def _kpis(s: AsyncSession, a: Actor, kw: dict[str, Any]) -> Table:
    k = await service.service_kpis(s, a, **kw)
    rows: list[list[Any]] = [
        ["新开工单", k.opened],
        ["未关闭", k.open],
        ["超时", k.overdue],
        ["完工维修单", k.repairs_completed],
        ["一次修复", k.fixed_first_time],
        ["一次修复率", k.first_time_fix_rate],
        ["平均到达时长（小时）", k.hours_to_arrival],
        ["平均完工时长（小时）", k.hours_to_completion],
        ["回访评分数", k.scores],
        ["平均满意度", k.csat],
        ["满意率（4-5分）", k.satisfied_rate],
    ]
    return Table(ReportName.KPIS, "服务指标", ("指标", "数值"), rows, Chart("bar", 0, (1,), "数值"))


async def _open(s: AsyncSession, a: Actor, kw: dict[str, Any]) -> Table:
    rows = await service.open_tickets(s, a, **kw)
    names = await _names(s, Branch, {r.branch_id for r in rows})
    out = [[names.get(r.branch_id, ""), r.type.value, r.opened, r.open, r.overdue] for r in rows]
    cols = ("分公司", "工单类型", "新开", "未关闭", "超时")
    return Table(
        ReportName.OPEN_TICKETS, "未结与超时工单", cols, out, Chart("column", 1, (3, 4), "工单数")
    )


async def _repairs(s: AsyncSession, a: Actor, kw: dict[str, Any]) -> Table:
    rows = await repairs.repairs_by_fault(s, a, **kw)
    names = await _names(s, DeviceModel, {r.device_model_id or "" for r in rows})
    out = [[r.fault_code, names.get(r.device_model_id or "", ""), r.repairs] for r in rows]
    cols = ("故障代码", "机型", "维修次数")
    return Table(ReportName.REPAIRS, "故障与机型", cols, out, Chart("column", 0, (2,), "维修次数"))


async def _parts(s: AsyncSession, a: Actor, kw: dict[str, Any]) -> Table:
    rows = await repairs.parts_by_model(s, a, **kw)
    names = await _names(s, DeviceModel, {r.device_model_id or "" for r in rows})
    out = [[r.sku, r.name, names.get(r.device_model_id or "", ""), r.quantity] for r in rows]
    cols = ("配件编码", "配件", "机型", "数量")
    return Table(ReportName.PARTS, "配件消耗", cols, out, Chart("column", 1, (3,), "数量"))


async def _cards(s: AsyncSession, a: Actor, kw: dict[str, Any]) -> Table:
    rows = await accounts.cards(s, a, **kw)
    names = await _names(s, Branch, {r.branch_id for r in rows})
    out = [[names.get(r.branch_id, ""), r.opened, r.cancelled, r.active] for r in rows]
    cols = ("分公司", "开户", "退卡", "在用")
    return Table(ReportName.CARDS, "开户卡", cols, out, Chart("column", 0, (1, 2, 3), "张数"))


async def _recharges(s: AsyncSession, a: Actor, kw: dict[str, Any]) -> Table:
    rows = await accounts.recharges(s, a, **kw)
    names = await _names(s, Branch, {r.branch_id for r in rows})
    out = [
        [names.get(r.branch_id, ""), r.plan, r.recharges, r.quantity, float(r.amount)] for r in rows
    ]
    cols = ("分公司", "方案", "冲水次数", "数量", "金额（元）")
    return Table(ReportName.RECHARGES, "冲水", cols, out, Chart("column", 0, (4,), "金额（元）"))


async def _supply(s: AsyncSession, a: Actor, kw: dict[str, Any]) -> Table:
    rows = await accounts.supply_expiring(s, a, **kw)
    names = await _names(s, Branch, {r.branch_id for r in rows})
    out = [[names.get(r.branch_id, ""), r.devices] for r in rows]
    return Table(
        ReportName.SUPPLY, "供水到期", ("分公司", "到期水机"), out, Chart("column", 0, (1,), "台数")
    )


async def _engineers(s: AsyncSession, a: Actor, kw: dict[str, Any]) -> Table:
    rows = await engineers.engineers(s, a, **kw)
    names = await _names(s, Technician, {r.technician_id for r in rows})
    out = [
        [
            names.get(r.technician_id, ""),
            r.completed,
            r.failed,
            r.travel_km,
            r.hours_travelling,
            r.scores,
            r.average_score,
        ]
        for r in rows
    ]
    cols = ("工程师", "完工", "未完成", "里程（公里）", "平均路途（小时）", "评分数", "平均评分")
    return Table(
        ReportName.ENGINEERS, "工程师绩效", cols, out, Chart("column", 0, (1, 2), "派工单")
    )


async def _follow_ups(s: AsyncSession, a: Actor, kw: dict[str, Any]) -> Table:
    rows = await satisfaction.follow_ups_by_month(s, a, **kw)
    categories = sorted({c for r in rows for c in r.dissatisfaction})
    out = [
        [r.month, r.scores, r.average_score, *(r.dissatisfaction.get(c, 0) for c in categories)]
        for r in rows
    ]
    words = (DISSATISFACTION[c.value][0] for c in categories)  # it wrote 不满意：MISSED_CALL
    cols = ("月份", "评分数", "平均评分", *(f"不满意：{w}" for w in words))
    return Table(ReportName.FOLLOW_UPS, "回访满意度", cols, out, Chart("line", 0, (2,), "平均评分"))


BUILDERS: dict[ReportName, Builder] = {
    ReportName.KPIS: _kpis,
    ReportName.OPEN_TICKETS: _open,
    ReportName.REPAIRS: _repairs,
    ReportName.PARTS: _parts,
    ReportName.CARDS: _cards,
    ReportName.RECHARGES: _recharges,
    ReportName.SUPPLY: _supply,
    ReportName.ENGINEERS: _engineers,
    ReportName.FOLLOW_UPS: _follow_ups,
}


async def table(
    session: AsyncSession,
    actor: Actor,
    name: ReportName,
    *,
    branch_id: str | None,
    first: dt.date,
    last: dt.date,
) -> Table:
    """One report as a table (its use case checks the actor and the range)."""
    kw = {"branch_id": branch_id, "first": first, "last": last}
    return await BUILDERS[name](session, actor, kw)
