"""What issue 18's API test modules share: a database of their own (their mutations create
outlets, calls and articles), the app with the PBX webhook's secret, and the client
documents."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.conftest import GraphQL, _seed, make_database, make_settings
from tests.factories import scalars
from wellspring.api import migrations
from wellspring.api.app import create_app
from wellspring.api.pbx_webhook import PATH, signature
from wellspring.domain import models as m
from wellspring.schema.core.ids import global_id

CLIENTS = Path(__file__).resolve().parents[2] / "clients"
SECRET = "pbx-shared-secret"


@dataclass
class World:
    url: str
    client: TestClient
    gql: GraphQL


@contextlib.contextmanager
def open_world(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[World]:
    """A migrated, seeded database named ``name`` and the app on it; dropped afterwards."""
    url, drop = make_database(tmp_path_factory.mktemp(name), name)
    try:
        migrations.upgrade(url)
        asyncio.run(_seed(url, 40))
        app = create_app(make_settings(url, pbx_webhook_secret=SECRET))
        with TestClient(app) as client:
            yield World(url, client, GraphQL(client))
    finally:
        drop()


def doc(name: str) -> str:
    return next(CLIENTS.glob(f"*/{name}.graphql")).read_text(encoding="utf-8")


def node_id(url: str, model: Any, type_name: str, column: Any, value: str) -> str:
    """The global id of the one ``model`` row whose ``column`` is ``value``."""
    return global_id(type_name, scalars(url, select(model.id).where(column == value))[0])


def technician_id(url: str, username: str) -> str:
    user = scalars(url, select(m.User.id).where(m.User.username == username))[0]
    return global_id(
        "Technician", scalars(url, select(m.Technician.id).where(m.Technician.user_id == user))[0]
    )


def post_webhook(
    client: TestClient,
    body: bytes,
    *,
    stamp: int | None = None,
    secret: str = SECRET,
    language: str = "zh-CN",
) -> Any:
    """POST ``body`` to the PBX webhook, signed with ``secret`` at ``stamp`` (now)."""
    when = str(int(time.time()) if stamp is None else stamp)
    headers = {
        "X-PBX-Timestamp": when,
        "X-PBX-Signature": "sha256=" + signature(secret, when, body),
        "Content-Type": "application/json",
        "Accept-Language": language,
    }
    return client.post(PATH, content=body, headers=headers)
