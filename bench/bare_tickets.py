"""The yardstick for the GraphQL app: the dispatcher's Tickets page from a bare Starlette route.

``POST /tickets`` with ``{"first": 50, "after": null}`` and a bearer token answers exactly what
the ``Tickets`` document of ``clients/dispatcher/Tickets.graphql`` answers through /graphql,
and runs the same SQL in the same single transaction: the session lookup of
``auth.authenticate``, the page and its count from ``tickets.list_tickets``, then the page's
branches, customers and devices, then the devices' models, each batched by id through
``queries.visible_by_ids`` as the DataLoaders do. What it leaves out is GraphQL itself: the
request log middleware, parsing, the cost rule, execution and resolvers.

Serve it with ``uvicorn bench.bare_tickets:create_app --factory`` and the same
``WELLSPRING_*`` environment as the real app.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wellspring.api.app import auth_config
from wellspring.domain import auth, queries
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.errors import DomainError, NotAuthenticated
from wellspring.domain.models import utcnow
from wellspring.domain.tickets import TicketFilter, is_overdue, list_tickets
from wellspring.schema.core.ids import global_id
from wellspring.settings import Settings, get_settings

M = TypeVar("M")
# What the DateTime scalar shows: the instant in Asia/Shanghai with its offset.


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(SHANGHAI).isoformat()


async def _by_ids(
    session: AsyncSession, actor: Actor, model: type[M], ids: Sequence[str | None]
) -> dict[str, M]:
    """One scoped statement for the non-null ids, none for none (like an idle DataLoader)."""
    wanted = [i for i in ids if i is not None]
    return await queries.visible_by_ids(session, actor, model, wanted) if wanted else {}


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


async def _tickets_page(
    session: AsyncSession, actor: Actor, first: int | None, after: str | None
) -> dict[str, Any]:
    now = utcnow()
    page = await list_tickets(session, actor, filter=TicketFilter(), first=first, after=after)
    total = await page.total_count()
    items = page.items
    branches = await _by_ids(session, actor, m.Branch, [t.branch_id for t in items])
    customers = await _by_ids(session, actor, m.Customer, [t.customer_id for t in items])
    devices = await _by_ids(session, actor, m.Device, [t.device_id for t in items])
    models = await _by_ids(
        session, actor, m.DeviceModel, [d.device_model_id for d in devices.values()]
    )
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


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    config = auth_config(settings)

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
                data = await _tickets_page(session, actor, first, after)
            except NotAuthenticated:
                return JSONResponse({"errors": [{"message": "not signed in"}]}, status_code=401)
            except DomainError as error:
                return JSONResponse({"errors": [{"message": error.code}]}, status_code=400)
            await session.commit()
        return JSONResponse({"data": {"tickets": data}})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url, echo=settings.database_echo)
        app.state.engine = engine
        app.state.session_factory = session_factory(engine)
        try:
            yield
        finally:
            await engine.dispose()

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    routes = [Route("/tickets", tickets, methods=["POST"]), Route("/healthz", healthz)]
    return Starlette(routes=routes, lifespan=lifespan)
