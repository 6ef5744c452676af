"""The benchmark database: migrated and filled with demo data once, then reused."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from wellspring.api import migrations
from wellspring.domain.actor import SYSTEM
from wellspring.domain.auth import hash_password
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models import Customer, User
from wellspring.domain.models.enums import Role
from wellspring.domain.users import create_user

ROOT = Path(__file__).resolve().parents[1]
BENCH_VAR = ROOT / "var" / "bench"
# The demo logins are refused in production mode, which is what the benchmark serves, so it
# signs in as its own HQ login (sees every ticket, like the demo "hq").
BENCH_USERNAME = "bench-hq"


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def default_url(scale: int) -> str:
    return f"sqlite+aiosqlite:///{(BENCH_VAR / f'tickets-{scale}.db').as_posix()}"


def backend(url: str) -> str:
    return make_url(url).get_backend_name()


async def _create_postgres_database(url: str) -> None:
    """Create the database named in ``url`` through the ``postgres`` admin database."""
    target = make_url(url)
    name = target.database
    if not name:
        raise SystemExit(f"no database name in {url}")
    admin = create_engine(
        target.set(database="postgres").render_as_string(hide_password=False)
    ).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            found = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if found is None:
                quoted = name.replace('"', '""')
                await conn.execute(text(f'CREATE DATABASE "{quoted}"'))
                _log(f"created PostgreSQL database {name}")
    finally:
        await admin.dispose()


async def _customer_count(url: str) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            count = await session.scalar(select(func.count()).select_from(Customer))
            return int(count or 0)
    finally:
        await engine.dispose()


async def _load(url: str, scale: int) -> None:
    from wellspring.demo import load_demo_data

    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            summary = await load_demo_data(session, scale=scale)
        if backend(url) == "postgresql":
            # Statistics now, not whenever autovacuum gets to the new tables: the plans (and
            # so the figures) must not depend on when the benchmark runs after the load.
            async with engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM (ANALYZE)"))
    finally:
        await engine.dispose()
    _log(f"demo data loaded: {summary}")


def ensure_database(url: str, scale: int) -> int:
    """Migrate ``url`` and load demo data at ``scale`` unless it already holds customers.

    Returns the number of customers. Must be called outside a running event loop (Alembic's
    environment runs its own).
    """
    if backend(url) == "postgresql":
        asyncio.run(_create_postgres_database(url))
    migrations.upgrade(url)
    customers = asyncio.run(_customer_count(url))
    if customers == 0:
        _log(f"loading demo data at scale {scale} (once; this takes a while) ...")
        started = time.perf_counter()
        asyncio.run(_load(url, scale))
        _log(f"loaded in {time.perf_counter() - started:.0f} s")
        customers = asyncio.run(_customer_count(url))
    elif customers != scale:
        _log(f"note: the database holds {customers} customers, not --scale {scale}")
    return customers


async def _set_login(url: str, password: str) -> None:
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            user = await session.scalar(select(User).where(User.username == BENCH_USERNAME))
            if user is None:
                await create_user(
                    session,
                    SYSTEM,
                    username=BENCH_USERNAME,
                    password=password,
                    role=Role.HQ,
                    display_name="Benchmark",
                    branch_code="HQ",
                )
            else:
                user.password_hash = hash_password(password)
                user.is_active = True
    finally:
        await engine.dispose()


def ensure_login(url: str) -> tuple[str, str]:
    """The benchmark's HQ login with a fresh random password (never a known one)."""
    password = secrets.token_urlsafe(18)
    asyncio.run(_set_login(url, password))
    return BENCH_USERNAME, password


async def _admin(admin_url: str, sql: str) -> None:
    engine = create_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


class ThrowawayDatabase:
    """A fresh, migrated database for one benchmark run, removed afterwards: a new
    PostgreSQL database made through the admin database, or a SQLite file in a temp folder."""

    def __init__(self, kind: str, admin_url: str, name: str) -> None:
        self.kind = kind
        self._admin_url = admin_url
        self._folder: str | None = None
        if kind == "postgresql":
            self.name = f"bench_{name}_{uuid.uuid4().hex[:8]}"
            self.url = make_url(admin_url).set(database=self.name).render_as_string(False)
        else:
            self._folder = tempfile.mkdtemp(prefix=f"bench-{name}-")
            self.name = os.path.join(self._folder, f"{name}.db")
            self.url = f"sqlite+aiosqlite:///{self.name}"

    def create(self) -> None:
        if self.kind == "postgresql":
            asyncio.run(_create_postgres_database(self.url))
        migrations.upgrade(self.url)  # outside any event loop: Alembic runs its own

    def drop(self) -> None:
        if self.kind == "postgresql":
            asyncio.run(
                _admin(self._admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            )
        elif self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
