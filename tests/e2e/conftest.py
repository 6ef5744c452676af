"""The live server the phone-client scenarios run against (``test_phone_client.py``,
``test_phone_conflicts.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DEMO_SCALE, _seed, make_database, make_settings
from tests.e2e.live import live_server
from tests.e2e.phone_day import require_client
from wellspring.api import migrations


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(database URL, base URL) of a live server on a fresh, migrated, seeded database."""
    require_client()
    url, drop = make_database(tmp_path, "e2e")
    try:
        migrations.upgrade(url)
        asyncio.run(_seed(url, DEMO_SCALE))
        with live_server(make_settings(url)) as base:
            yield url, base
    finally:
        drop()
