"""Servers and a small world for the live-update tests: real uvicorn servers (one in this
process's thread, or separate processes), real WebSockets, the shared test database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import select

from tests.conftest import TEST_SECRET
from tests.notifications.world import actors, technician_id
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM, Actor
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.masterdata import users
from wellspring.domain.models.enums import Role, TicketType
from wellspring.domain.workflow import opening
from wellspring.domain.workflow.requests import OpenTicketRequest
from wellspring.notifications import outbox
from wellspring.schema.core.ids import global_id

CLIENTS = Path(__file__).resolve().parents[2] / "clients"


def doc(name: str) -> str:
    return next(CLIENTS.glob(f"*/{name}.graphql")).read_text(encoding="utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(base)


@contextlib.contextmanager
def thread_server(app: Any) -> Iterator[str]:
    """The app served by uvicorn in a thread of this process (coverage sees it)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base)
        yield base
    finally:
        server.should_exit = True
        thread.join(10)


@contextlib.contextmanager
def process_servers(database_url: str, count: int, **env: str) -> Iterator[list[str]]:
    """``count`` uvicorn processes serving the same database."""
    values = {
        **os.environ,
        "WELLSPRING_DATABASE_URL": database_url,
        "WELLSPRING_SECRET_KEY": TEST_SECRET,
        "WELLSPRING_MODE": "development",
        "WELLSPRING_LOG_JSON": "true",
        "WELLSPRING_LOGIN_ADDRESS_MAX_FAILURES": "100000",
        "WELLSPRING_MEDIA_REQUIRED_EVIDENCE": '{"INSTALL": [], "WATER_TEST": []}',
        **env,
    }
    ports = [free_port() for _ in range(count)]
    children = [
        subprocess.Popen(  # noqa: S603 - our own app
            [
                *(sys.executable, "-m", "uvicorn", "wellspring.api.app:create_app", "--factory"),
                *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
            ],
            env=values,
        )
        for port in ports
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    RUNNING.update(zip(bases, children, strict=True))
    try:
        for base in bases:
            wait_ready(base)
        yield bases
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(10)
        for base in bases:
            RUNNING.pop(base, None)


RUNNING: dict[str, subprocess.Popen[bytes]] = {}  # the processes of process_servers, by base


def stop_server(base: str) -> int:
    """Shut one of process_servers' processes down as an orchestrator does (SIGTERM, a
    graceful stop); its exit status."""
    child = RUNNING[base]
    child.terminate()
    return child.wait(30)


class Api:
    """GraphQL over HTTP to one server, one token per username."""

    tokens: dict[str, str] = {}  # shared: any server accepts any server's token

    def __init__(self, base: str) -> None:
        self.base = base

    def token(self, username: str, password: str = "demo") -> str:
        if username not in self.tokens:
            body = self.post(doc("Login"), {"username": username, "password": password})
            self.tokens[username] = body["data"]["login"]["token"]
        return self.tokens[username]

    def post(self, query: str, variables: dict[str, Any], user: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        body = {"query": query, "variables": variables}
        response = httpx.post(f"{self.base}/graphql", json=body, headers=headers, timeout=30)
        return response.json()

    def data(self, query: str, variables: dict[str, Any], user: str) -> Any:
        body = self.post(query, variables, user)
        assert "errors" not in body, body
        return body["data"]


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/graphql"


@dataclass
class World:
    people: dict[str, Actor]
    sh: str  # branch ids (database)
    bj: str
    tech1: str  # tech-sh-1's technician id
    customer_ticket: str  # a fresh ticket of customer-1's, not yet approved


async def _customer_ticket(factory: Any, people: dict[str, Actor]) -> str:
    customer = people["customer-1"].customer_id
    async with transaction(factory) as session:
        device = await session.scalar(
            select(m.Device.id).where(m.Device.customer_id == customer).limit(1)
        )
        ticket = await opening.open_ticket(
            session,
            people["hotline"],
            request=OpenTicketRequest(
                type=TicketType.REPAIR,
                customer_id=customer,
                device_id=device,
                allow_duplicate=True,
            ),
        )
        return ticket.id


async def _world(url: str) -> World:
    engine = create_engine(url)
    factory = session_factory(engine)
    outbox.install(factory)
    try:
        people = await actors(factory)
        async with factory() as session:
            branches = dict((await session.execute(select(m.Branch.code, m.Branch.id))).all())
        return World(
            people=people,
            sh=branches["SH"],
            bj=branches["BJ"],
            tech1=await technician_id(factory, "tech-sh-1"),
            customer_ticket=await _customer_ticket(factory, people),
        )
    finally:
        await engine.dispose()


def make_world(url: str) -> World:
    return asyncio.run(_world(url))


async def _another_customer(url: str) -> str:
    """A second customer's login (the demo has one), for 'another customer hears nothing'."""
    engine = create_engine(url)
    factory = session_factory(engine)
    name = f"cust-{uuid.uuid4().hex[:6]}"
    try:
        async with transaction(factory) as session:
            people = await actors(factory)
            other = await session.scalar(
                select(m.Customer.id)
                .where(m.Customer.id != people["customer-1"].customer_id)
                .limit(1)
            )
            await users.create_login(
                session,
                SYSTEM,
                login=users.NewLogin(
                    username=name, password="demo-demo-1", role=Role.CUSTOMER, customer_id=other
                ),
            )
        return name
    finally:
        await engine.dispose()


def another_customer(url: str) -> str:
    return asyncio.run(_another_customer(url))


def gid(type_name: str, id_: str) -> str:
    return global_id(type_name, id_)
