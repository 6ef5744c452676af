"""The Starlette application: /graphql, /sync, /media (local store), /export, /healthz,
/readyz, and the customer's tracking page /t/<token> with its static files."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
from collections.abc import AsyncIterator

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute

from wellspring.domain import login_throttle
from wellspring.domain.auth import AuthConfig
from wellspring.domain.clock import SYSTEM_CLOCK, Clock
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.media.config import MediaConfig
from wellspring.media.local import FILE_PATH, UPLOAD_PATH, LocalStore
from wellspring.media.local_http import LocalMediaEndpoints
from wellspring.media.wiring import media_config
from wellspring.mobile_sync.endpoint import SyncEndpoints
from wellspring.notifications import bus as live_bus
from wellspring.schema import build_schema
from wellspring.settings import Settings, domain_config, get_settings

from . import busy, logging_setup, migrations, notify_worker, pbx_webhook
from .busy import PoolTimeout
from .exports import ExportEndpoint
from .graphql_endpoint import GraphQLEndpoint
from .pbx_webhook import PbxWebhook
from .redis_counter import RedisCounter
from .report_exports import ReportEndpoint
from .subscriptions import SubscriptionEndpoint
from .tracking_page import TrackingPage

log = logging.getLogger("wellspring")
# The collector's first threshold in a serving process (Python's default is 700 allocations).
GC_GEN0_THRESHOLD = 10_000


def settle_heap() -> tuple[int, int, int]:
    """After startup, hide what it built from the cyclic collector and let it run less often.

    The schema, the mappers and the imported modules are hundreds of thousands of objects
    that live as long as the process; every full collection walked them all, holding the
    event loop for 80-200 ms every ~12 s under load and costing 3-4 ms of CPU per request
    (bench/README.md, ``day``). ``gc.freeze`` moves them to a generation the collector never
    scans; the higher first threshold makes collections of young objects rarer (each request
    frees most of what it made by reference counting anyway). Returns the thresholds before,
    for ``release_heap`` when the app stops.
    """
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_GEN0_THRESHOLD, before[1], before[2])
    return before


def release_heap(thresholds: tuple[int, int, int]) -> None:
    """Undo ``settle_heap``: what startup built can be collected again once the app stops."""
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def auth_config(settings: Settings) -> AuthConfig:
    return AuthConfig(
        secret_key=settings.secret_key,
        access_token_minutes=settings.access_token_minutes,
        refresh_token_days=settings.refresh_token_days,
        throttle=login_throttle.Limits(
            max_failures=settings.login_max_failures,
            address_max_failures=settings.login_address_max_failures,
            window_seconds=settings.login_window_seconds,
            lockout_seconds=settings.login_lockout_seconds,
            max_lockout_seconds=settings.login_max_lockout_seconds,
        ),
        allow_demo_accounts=not settings.is_production,
    )


async def healthz(_request: Request) -> Response:
    """The process is up."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """The database answers and its schema is at the newest migration."""
    engine = request.app.state.engine
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        current = await migrations.current_revision(engine)
    except Exception:
        log.warning("readiness check: database unreachable", exc_info=True)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    head = request.app.state.head_revision
    if current != head:
        body = {"status": "unavailable", "migration": current, "expected": head}
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ok", "migration": current})


async def index(_request: Request) -> Response:
    return RedirectResponse("/graphql")


def _media_routes(store: object, max_bytes: int) -> list[Route]:
    """The local store's upload form and signed downloads (S3 serves its own)."""
    if not isinstance(store, LocalStore):
        return []
    doors = LocalMediaEndpoints(store, max_bytes)
    return [
        Route(UPLOAD_PATH, doors.upload, methods=["POST"]),
        Route(FILE_PATH, doors.file, methods=["GET"]),
    ]


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
    media: MediaConfig | None = None,
) -> Starlette:
    """The app; ``clock`` is the system clock except in tests that set the time, and
    ``media`` comes from the settings except in tests that bring their own store."""
    settings = settings or get_settings()
    logging_setup.configure(settings.json_logs)
    # Once: every session of this app carries it (the media store built from the settings
    # unless a test gives its own).
    media = media or media_config(settings)
    config = dataclasses.replace(domain_config(settings), media=media)
    if settings.redis_url:  # the tracking doors' limits hold across processes
        counter = RedisCounter(settings.redis_url, f"{settings.redis_channel_prefix}limits:")
        config = dataclasses.replace(
            config, tracking=dataclasses.replace(config.tracking, counter=counter)
        )
    schema = build_schema().graphql_schema
    endpoint = GraphQLEndpoint(schema, settings, auth_config(settings))
    sync = SyncEndpoints(auth_config(settings), settings.sync_max_body_bytes)
    exports = ExportEndpoint(auth_config(settings))
    # The customer's tracking page; it subscribes through WELLSPRING_TRACKING_WEBSOCKET_PATH
    # ("/graphql" once the subscriptions door accepts {"trackingToken": ...}), else polls.
    tracking = TrackingPage(settings, websocket_path=settings.tracking_websocket_path or None)
    pbx = PbxWebhook(settings.pbx_webhook_secret, settings.pbx_replay_window_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(
            settings.database_url,
            echo=settings.database_echo,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            pool_timeout=settings.database_pool_timeout_seconds,
        )
        app.state.engine = engine
        factory = session_factory(engine, config=config, clock=clock)
        # Domain events become outbox rows in their transaction, then live events on the bus.
        bus = live_bus.build_bus(settings.redis_url, settings.redis_channel_prefix)
        live_bus.install(factory, bus)
        app.state.session_factory = factory
        app.state.live_bus = bus
        app.state.head_revision = migrations.head_revision(settings.database_url)
        await bus.start()
        # Production only: a full collection at each start would add minutes to the tests.
        thresholds = settle_heap() if settings.is_production else None
        try:
            async with notify_worker.in_app(settings, factory):
                yield
        finally:
            if thresholds is not None:
                release_heap(thresholds)
            await bus.close()
            await engine.dispose()

    routes = [
        Route("/graphql", endpoint.handle, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", SubscriptionEndpoint(endpoint).handle),
        Route("/sync/pull", sync.pull, methods=["POST"]),
        Route("/sync/push", sync.push, methods=["POST"]),
        Route("/export/{target}", exports.handle, methods=["GET"]),
        Route(pbx_webhook.PATH, pbx.handle, methods=["POST"]),
        Route("/reports/{target}", ReportEndpoint(auth_config(settings)).handle, methods=["GET"]),
        Route("/healthz", healthz),
        *_media_routes(media.store, max(*media.limits.values(), media.import_limit)),
        Route("/readyz", readyz),
        *tracking.routes(),
        Route("/", index),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(logging_setup.RequestLogMiddleware)],
        lifespan=lifespan,
        exception_handlers={PoolTimeout: busy.pool_exhausted},
    )
    app.state.settings = settings
    app.state.graphql = endpoint
    app.state.media = media
    return app
