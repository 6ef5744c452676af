"""Fixtures more than one API test module uses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.media_site import BUCKET
from tests.conftest import make_settings
from wellspring.api.app import create_app


@pytest.fixture(scope="module")
def s3() -> Iterator[Any]:
    """A boto3 client on moto's S3 server (the real wire, on a free port), with the test
    bucket; one server per module that asks."""
    import boto3
    from moto.server import ThreadedMotoServer

    from tests.e2e.live import free_port

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = boto3.client(
        "s3",
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket=BUCKET)
    try:
        yield client
    finally:
        server.stop()


@pytest.fixture(scope="module")
def app_client(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app with every door open: local media under a temporary folder, the PBX webhook
    with a secret."""
    media = tmp_path_factory.mktemp("media")
    settings = make_settings(database_url, media_root=str(media), pbx_webhook_secret="secret")
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def postgresql_only(database_url: str) -> None:
    """For the race tests: only PostgreSQL lets two writers overlap."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers: no two of them overlap")
