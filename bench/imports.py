"""Bulk import of customers: rows per second on SQLite and PostgreSQL, beside the target.

``python -m bench.imports [--rows 100000] [--engines sqlite,postgresql]`` generates a CSV of
``--rows`` customers (Chinese headers, structured Shanghai addresses, every phone distinct),
imports it into a fresh, migrated database per engine through the same path as
``wellspring import customers FILE --branch SH`` (read, check every row, apply in batches of
1,000), and prints the time, the rows per second and the target: 100,000 rows in two minutes
on SQLite (833 rows/s). It then imports the same file again, which must change nothing.

Figures are printed, never asserted; the run fails (exit 1) only if the import did not write
exactly the rows generated, or the second run wrote anything.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from wellspring.api import migrations
from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.imports.runs import ImportFile, content_hash, run_import
from wellspring.domain.masterdata.setup import initialize
from wellspring.domain.models import Branch, Customer, utcnow
from wellspring.domain.models.enums import BranchKind, ImportKind
from wellspring.geo.centroids import districts_of
from wellspring.tabular.reading import read_table

ROOT = Path(__file__).resolve().parents[1]
TARGET_ROWS, TARGET_SECONDS = 100_000, 120.0
DEFAULT_PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def generate(rows: int, seed: int = 20261203) -> bytes:
    """A legacy-looking customer export: Chinese headers, UTF-8 with a BOM."""
    rng = random.Random(seed)
    districts = districts_of("上海市", "上海市")
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
    out = io.StringIO()
    out.write("\ufeff客户姓名,手机号,省,市,区,街道,小区,楼栋,房号\n")
    for i in range(rows):
        name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
        phone = f"1{rng.choice('3589')}{i:09d}"
        district = rng.choice(districts)
        out.write(
            f"{name},{phone},上海市,上海市,{district},{district[:2]}路{rng.randint(1, 999)}号,"
            f"{rng.choice('东西南北')}苑小区,{rng.randint(1, 30)}号楼,{rng.randint(101, 2804)}\n"
        )
    return out.getvalue().encode("utf-8")


async def _pg_admin(admin_url: str, sql: str) -> None:
    engine = create_engine(admin_url)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def _prepare(url: str) -> None:
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            await initialize(session, admin_username="bench-admin", password=uuid.uuid4().hex)
            hq = await session.scalar(select(Branch.id).where(Branch.code == "HQ"))
            session.add(Branch(code="SH", name="上海分公司", kind=BranchKind.BRANCH, parent_id=hq))
    finally:
        await engine.dispose()


async def _import(url: str, content: bytes) -> tuple[float, int, int, int]:
    """(seconds, rows applied, rows unchanged, customers in the database)."""
    engine = create_engine(url)
    try:
        factory = session_factory(engine)
        started = time.perf_counter()
        table = read_table(content)
        file = ImportFile(
            kind=ImportKind.CUSTOMERS,
            file_name="bench.csv",
            content_hash=content_hash(content, ImportKind.CUSTOMERS, {}, "SH"),
            headers=table.headers,
            rows=table.rows,
            branch_code="SH",
        )
        report = await run_import(lambda: transaction(factory), SYSTEM, file, now=utcnow())
        seconds = time.perf_counter() - started
        async with factory() as session:
            count = int(await session.scalar(select(func.count()).select_from(Customer)) or 0)
        return seconds, report.applied, report.unchanged, count
    finally:
        await engine.dispose()


def run_engine(engine_name: str, rows: int, content: bytes, pg_admin: str) -> bool:
    if engine_name == "sqlite":
        path = ROOT / "var" / "bench" / "imports.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite+aiosqlite:///{path.as_posix()}"
        drop = None
    else:
        name = f"wellspring_bench_imports_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg_admin(pg_admin, f'CREATE DATABASE "{name}"'))
        url = make_url(pg_admin).set(database=name).render_as_string(hide_password=False)
        drop = f'DROP DATABASE "{name}" WITH (FORCE)'
    try:
        migrations.upgrade(url)
        asyncio.run(_prepare(url))
        seconds, applied, _, count = asyncio.run(_import(url, content))
        again_seconds, again_applied, unchanged, again_count = asyncio.run(_import(url, content))
    finally:
        if drop is not None:
            asyncio.run(_pg_admin(pg_admin, drop))
    rate = rows / seconds
    target = TARGET_ROWS / TARGET_SECONDS
    print(
        f"{engine_name:<10} {rows:>8} rows  {seconds:7.1f} s  {rate:8.0f} rows/s  "
        f"target {target:.0f} rows/s ({TARGET_ROWS:,} in {TARGET_SECONDS:.0f} s): "
        f"{rate / target:.1f}x  | again: {again_seconds:.1f} s, {unchanged} unchanged"
    )
    ok = applied == rows and count == rows and again_applied == 0 and again_count == rows
    if not ok:
        print(f"  FAILED: applied {applied}, customers {count}, second run applied {again_applied}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    parser.add_argument("--rows", type=int, default=TARGET_ROWS)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN)
    args = parser.parse_args(argv)
    content = generate(args.rows)
    print(f"file: {args.rows:,} customer rows, {len(content) / 1e6:.1f} MB (UTF-8 with BOM)")
    ok = True
    for engine_name in [e.strip() for e in args.engines.split(",") if e.strip()]:
        ok = run_engine(engine_name, args.rows, content, args.pg_admin_url) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
