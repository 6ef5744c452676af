"""The yardstick for the GraphQL app: the dispatcher's Tickets page from a bare Starlette route.

``POST /tickets`` with ``{"first": 50, "after": null}`` and a bearer token answers exactly what
the ``Tickets`` document of ``clients/dispatcher/Tickets.graphql`` answers through /graphql,
and runs the same SQL in the same single transaction: the session lookup of
``auth.authenticate``, then the page with its branches, customers, devices and the devices'
models (joined as each is readable by id, ``domain/joined.py``) and its count, all in the
page's statement, from ``tickets.list_tickets``. What it leaves out is GraphQL itself: the
request log middleware, parsing, the cost rule, execution and resolvers.

Serve it with ``uvicorn bench.bare_tickets:create_app --factory`` and the same
``WELLSPRING_*`` environment as the real app. ``create_start_app`` serves the same answer from
the SQL of issue 19's starting line (an exact count of every visible ticket and one statement
per relation), the rate the issue asks today's bare endpoint to triple.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, TypeVar

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wellspring.api.app import auth_config, release_heap, settle_heap
from wellspring.domain import auth, policy, queries
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.column_rows import Columns
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.errors import DomainError, NotAuthenticated
from wellspring.domain.joined import Relations
from wellspring.domain.models import utcnow
from wellspring.domain.tickets import TicketFilter, is_overdue, list_tickets
from wellspring.schema.core.ids import global_id
from wellspring.settings import Settings, get_settings

M = TypeVar("M")


def _time(value: dt.datetime | None) -> str | None:
    """What the DateTime scalar shows: the instant in Asia/Shanghai with its offset."""
    return None if value is None else value.astimezone(SHANGHAI).isoformat()


def _node(
    ticket: m.Ticket,
    branch: m.Branch | None,
    customer: m.Customer | None,
    device: m.Device | None,
    model: m.DeviceModel | None,
    now: dt.datetime,
) -> dict[str, Any]:
    return {
        "id": global_id("Ticket", ticket.id),
        "number": ticket.number,
        "type": ticket.type.name,
        "status": ticket.status.name,
        "priority": ticket.priority.name,
        "channel": ticket.channel.name,
        "dueAt": _time(ticket.due_at),
        "overdue": is_overdue(ticket, now),
        "createdAt": _time(ticket.created_at),
        "description": ticket.description,
        "branch": None
        if branch is None
        else {"id": global_id("Branch", branch.id), "name": branch.name},
        "customer": None
        if customer is None
        else {
            "id": global_id("Customer", customer.id),
            "name": customer.name,
            "phone": customer.phone,
            "tier": customer.tier.name,
        },
        "device": None
        if device is None
        else {
            "id": global_id("Device", device.id),
            "serialNumber": device.serial_number,
            "model": None if model is None else {"code": model.code},
        },
    }


# What the Tickets document selects on a ticket, read with the page as the GraphQL app does
# (in the order of its TICKET_RELATIONS, so that both run the same statement).
_RELATIONS: Relations = {
    "customer": (m.Customer, "customer_id", {}),
    "device": (m.Device, "device_id", {"model": (m.DeviceModel, "device_model_id", {})}),
    "branch": (m.Branch, "branch_id", {}),
}


# The attributes the Tickets document reads of each (the GraphQL app finds the same ones).
_COLUMNS: Columns = {
    (): frozenset(
        {"number", "type", "status", "priority", "channel", "due_at", "completed_at"}
        | {"created_at", "description", "branch_id", "customer_id", "device_id"}
    ),
    ("branch",): frozenset({"name"}),
    ("customer",): frozenset({"name", "phone", "tier"}),
    ("device",): frozenset({"serial_number", "device_model_id"}),
    ("device", "model"): frozenset({"code"}),
}


async def _tickets_page(
    session: AsyncSession, actor: Actor, first: int | None, after: str | None
) -> dict[str, Any]:
    page = await list_tickets(
        session,
        actor,
        filter=TicketFilter(),
        first=first,
        after=after,
        relations=_RELATIONS,
        columns=_COLUMNS,
        count_with_page=True,
    )
    return _connection(page, await page.total_count(), page.related)


async def _tickets_page_at_start(
    session: AsyncSession, actor: Actor, first: int | None, after: str | None
) -> dict[str, Any]:
    """The same answer from the statements of issue 19's starting line (68 req/s then): the
    page, an exact count of every visible ticket, then the page's branches, customers,
    devices and the devices' models, each in a statement of its own as the DataLoaders read
    them then. Rebuilt from today's domain functions, so what they gained since (row
    handling, times as asyncpg reads them) counts for it too: a conservative yardstick."""
    page = await list_tickets(session, actor, filter=TicketFilter(), first=first, after=after)
    visible = (policy.tickets_scope(actor), m.Ticket.deleted_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(m.Ticket).where(*visible))
    items = page.items
    related: dict[type[Any], dict[str, Any]] = {
        m.Branch: await _by_ids(session, actor, m.Branch, [t.branch_id for t in items]),
        m.Customer: await _by_ids(session, actor, m.Customer, [t.customer_id for t in items]),
        m.Device: await _by_ids(session, actor, m.Device, [t.device_id for t in items]),
    }
    related[m.DeviceModel] = await _by_ids(
        session, actor, m.DeviceModel, [d.device_model_id for d in related[m.Device].values()]
    )
    return _connection(page, total, related)


def _connection(
    page: Any, total: Any, related: Mapping[type[Any], Mapping[str, Any]]
) -> dict[str, Any]:
    """The Tickets connection as the GraphQL app answers it, from the page and its rows."""
    now = utcnow()
    items = page.items
    branches = related.get(m.Branch, {})
    customers = related.get(m.Customer, {})
    devices = related.get(m.Device, {})
    models = related.get(m.DeviceModel, {})
    edges = []
    for ticket, cursor in zip(items, page.cursors, strict=True):
        device = devices.get(ticket.device_id) if ticket.device_id else None
        model = models.get(device.device_model_id) if device else None
        branch, customer = branches.get(ticket.branch_id), customers.get(ticket.customer_id)
        edges.append(
            {"cursor": cursor, "node": _node(ticket, branch, customer, device, model, now)}
        )
    return {
        "totalCount": total,
        "pageInfo": {"hasNextPage": page.has_next_page, "endCursor": page.end_cursor},
        "edges": edges,
    }


async def _by_ids(
    session: AsyncSession, actor: Actor, model: type[M], ids: Sequence[str | None]
) -> dict[str, M]:
    """One scoped statement for the non-null ids, none for none (like an idle DataLoader)."""
    wanted = [i for i in ids if i is not None]
    return await queries.visible_by_ids(session, actor, model, wanted) if wanted else {}


def create_start_app() -> Starlette:
    """The yardstick as it ran at issue 19's start, so that one run can say how many times
    faster today's bare endpoint is, whatever the machine's speed that hour."""
    return create_app(at_start=True)


def create_app(settings: Settings | None = None, *, at_start: bool = False) -> Starlette:
    settings = settings or get_settings()
    config = auth_config(settings)
    answer = _tickets_page_at_start if at_start else _tickets_page

    async def tickets(request: Request) -> Response:
        try:
            payload = json.loads(await request.body())
            first, after = payload.get("first"), payload.get("after")
        except (ValueError, AttributeError):
            return JSONResponse({"errors": [{"message": "bad body"}]}, status_code=400)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return JSONResponse({"errors": [{"message": "not signed in"}]}, status_code=401)
        factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
        async with factory() as session:
            try:
                # The same per-request session lookup (and once-a-minute last_seen write).
                actor = await auth.authenticate(session, config=config, token=token.strip())
                data = await answer(session, actor, first, after)
            except NotAuthenticated:
                return JSONResponse({"errors": [{"message": "not signed in"}]}, status_code=401)
            except DomainError as error:
                return JSONResponse({"errors": [{"message": error.code}]}, status_code=400)
            await session.commit()
        # Encoded as the GraphQL endpoint encodes its answers (orjson), so that the ratio
        # of the two measures GraphQL, not the JSON encoder.
        return Response(orjson.dumps({"data": {"tickets": data}}), media_type="application/json")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url, echo=settings.database_echo)
        app.state.engine = engine
        app.state.session_factory = session_factory(engine)
        # As the real app runs in production: its startup heap hidden from the collector.
        thresholds = settle_heap() if settings.is_production else None
        try:
            yield
        finally:
            if thresholds is not None:
                release_heap(thresholds)
            await engine.dispose()

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    routes = [Route("/tickets", tickets, methods=["POST"]), Route("/healthz", healthz)]
    return Starlette(routes=routes, lifespan=lifespan)
