"""``wellspring report monthly`` and ``wellspring maintenance plan``: the monthly management
workbook and the daily maintenance planner from the command line (cron, or by hand)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.errors import DomainError, PermissionDenied
from wellspring.domain.reports import monthly, planner
from wellspring.domain.reports.exporting import requested
from wellspring.i18n import EN, message
from wellspring.settings import domain_config, get_settings
from wellspring.tabular.charts import workbook

from .exports import _as_user, audited


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser("report", help="write the monthly management summary (XLSX)")
    kinds = report.add_subparsers(dest="report_kind", required=True)
    month = kinds.add_parser("monthly", help="every report of one month, a chart on each sheet")
    month.add_argument("--month", required=True, help="YYYY-MM (Asia/Shanghai)")
    month.add_argument("--branch", help="one branch (code); default: every branch")
    month.add_argument("--user", help="as this login (its visibility); default: all")
    month.add_argument("-o", "--output", type=Path, help="default: monthly-YYYY-MM.xlsx")

    plan = sub.add_parser("maintenance", help="the daily maintenance planner")
    plans = plan.add_subparsers(dest="maintenance_kind", required=True)
    plans.add_parser("plan", help="open FILTER_CHANGE tickets for the devices due today")


async def _monthly(url: str, args: argparse.Namespace) -> int:
    engine = create_engine(url)
    try:
        sessions = session_factory(engine, config=domain_config(get_settings()))
        async with sessions() as session:
            actor = await _as_user(session, args.user)
            values = {"month": args.month, **({"branch": args.branch} if args.branch else {})}
            tables = await requested(session, actor, "monthly", values)
            await audited(sessions, actor, "report", "monthly", values)
    finally:
        await engine.dispose()
    output = args.output or Path(f"monthly-{args.month}.xlsx")
    output.write_bytes(workbook(tables, f"管理月报 {args.month}"))
    print(f"Wrote {output} ({len(tables)} sheets)")
    return 0


async def _plan(url: str) -> int:
    from wellspring.domain.actor import SYSTEM

    engine = create_engine(url)
    try:
        sessions = session_factory(engine, config=domain_config(get_settings()))
        async with transaction(sessions) as session:
            result = await planner.plan_maintenance(session, SYSTEM)
    finally:
        await engine.dispose()
    print(
        f"{result.day}: {result.due} devices due, {result.total_opened} FILTER_CHANGE tickets "
        f"opened in {len(result.opened)} branches, {result.skipped} skipped (already in hand), "
        f"{result.reminders} recharge reminders"
    )
    return 0


def run(url: str, args: argparse.Namespace) -> int:
    try:
        if args.command == "report":
            monthly.month_days(args.month)  # a bad month fails before connecting
            return asyncio.run(_monthly(url, args))
        return asyncio.run(_plan(url))
    except DomainError as error:
        print(message(error.code, EN, **error.params, field=error.field or ""), file=sys.stderr)
        return 2
    except PermissionDenied:
        print(message("FORBIDDEN", EN), file=sys.stderr)
        return 2
