"""``wellspring import`` and ``wellspring export``: files in and out from the command line.

Runs as the system (an admin); a progress bar on stderr when it is a terminal (tqdm).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from pathlib import Path

from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.errors import DomainError
from wellspring.domain.imports.runs import ImportFile, Report, content_hash, run_import
from wellspring.domain.models import utcnow
from wellspring.domain.models.enums import ImportKind
from wellspring.i18n import EN, ZH, message
from wellspring.tabular.reading import read_table

KINDS = {k.value.lower(): k for k in ImportKind}


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser("import", help="import a CSV or XLSX file (customers, devices ...)")
    imp.add_argument("kind", choices=sorted(KINDS))
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    imp.add_argument(
        "--column-map",
        type=Path,
        help="JSON object or two-column CSV: file header -> field name",
    )
    imp.add_argument("--branch", help="branch code for rows without one")
    imp.add_argument("--batch-size", type=int, default=1000)

    exp = sub.add_parser("export", help="export a list to CSV or XLSX")
    exp.add_argument("list", help="tickets, jobs, customers, devices, stock, follow-ups, ...")
    exp.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    exp.add_argument("--filter", action="append", default=[], help="name=value (repeatable)")
    exp.add_argument("--user", help="export as this login (its visibility); default: all")
    exp.add_argument("--lang", choices=[ZH, EN], default=ZH, help="header language")
    exp.add_argument("-o", "--output", type=Path, required=True)


def read_column_map(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("{"):
        loaded = json.loads(text)
        if not isinstance(loaded, dict):
            raise DomainError("IMPORT_INVALID_COLUMN_MAP", field="column_map")
        return {str(k): str(v) for k, v in loaded.items()}
    return {r[0].strip(): r[1].strip() for r in csv.reader(io.StringIO(text)) if len(r) >= 2}


def _print_report(report: Report, *, dry_run: bool) -> None:
    for e in report.errors:
        zh = message(e.code, ZH, **e.params)
        en = message(e.code, EN, **e.params)
        print(f"line {e.line}\t{e.column}\t{e.code}\t{zh}\t{en}")
    bad = len({e.line for e in report.errors})
    verb = "would apply" if dry_run else "applied"
    print(
        f"{report.total} rows: {bad} with errors, {report.unchanged} already present, "
        f"{verb} {report.to_apply if dry_run else report.applied}"
        + ("" if report.run_id is None else f" (import {report.run_id})"),
        file=sys.stderr,
    )


async def _import(url: str, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    content = args.file.read_bytes()
    column_map = read_column_map(args.column_map)
    kind = KINDS[args.kind]
    table = read_table(content)
    file = ImportFile(
        kind=kind,
        file_name=args.file.name,
        content_hash=content_hash(content, kind, column_map, args.branch),
        headers=table.headers,
        rows=table.rows,
        column_map=column_map,
        branch_code=args.branch,
        dry_run=args.dry_run,
    )
    engine = create_engine(url)
    bar = tqdm(total=len(table.rows), unit="row", disable=not sys.stderr.isatty())
    try:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        factory = session_factory(engine)
        report = await run_import(
            lambda: transaction(factory),
            SYSTEM,
            file,
            now=utcnow(),
            batch_size=max(1, min(args.batch_size, 10_000)),
            progress=progress,
            record=not args.dry_run,
        )
    finally:
        bar.close()
        await engine.dispose()
    _print_report(report, dry_run=args.dry_run)
    return 1 if report.errors else 0


def run_import_command(url: str, args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_import(url, args))
    except DomainError as error:
        print(message(error.code, EN, field=error.field or "", **error.params), file=sys.stderr)
        return 2
    except (OSError, json.JSONDecodeError) as error:
        print(f"cannot read {error}", file=sys.stderr)
        return 2


def run_export_command(url: str, args: argparse.Namespace) -> int:
    from .exports import export_to_file

    try:
        count = asyncio.run(export_to_file(url, args))
    except DomainError as error:
        print(message(error.code, EN, field=error.field or "", **error.params), file=sys.stderr)
        return 2
    print(f"{count} rows written to {args.output}", file=sys.stderr)
    return 0
