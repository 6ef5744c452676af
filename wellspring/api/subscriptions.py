"""GraphQL subscriptions over the ``graphql-transport-ws`` protocol, on the WebSocket at
/graphql (the protocol of the ``graphql-ws`` library; docs/api.md, "Live updates").

No maintained package does it for graphene: graphql-core's ``subscribe`` plus this handler.
The connection is authenticated once, by ``connection_init`` (``live_auth.authenticate``);
each ``subscribe`` message runs one subscription operation as its own task, prepared like an
HTTP request (same parse cache, depth, alias and cost rules) and executed with a short-lived
session for the watch's opening checks. Close codes follow the protocol: 4400 malformed
message, 4401 unauthorised (subscribe before the ack, or bad credentials), 4406 without the
subprotocol, 4408 no ``connection_init`` in time, 4409 a subscription id in use, 4429 a second
``connection_init``, 1013 every database connection busy at ``connection_init`` (a
subscription that meets a full pool later gets a ``SERVICE_BUSY`` error); 4401 also when
the connection's session ends (logout, revoked, the login deactivated: at once, through the
bus, from any process); 1012 asks the client to reconnect
with its cursor (events may be lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator, Callable, MutableMapping
from typing import Any, NoReturn

from graphql import ExecutionResult, GraphQLError, OperationType, subscribe, validate
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.websockets import WebSocket, WebSocketDisconnect

from wellspring.domain.actor import Actor
from wellspring.domain.clock import clock_of
from wellspring.domain.notifications.live import Watch
from wellspring.i18n import message, negotiate
from wellspring.notifications import live
from wellspring.notifications.bus import Bus
from wellspring.schema.core.context import RequestContext
from wellspring.schema.core.dataloaders import Loaders

from . import input_guard, limits, live_auth
from .busy import RETRY_AFTER_SECONDS, PoolTimeout
from .graphql_endpoint import GraphQLEndpoint
from .graphql_messages import is_variable_error, variable_errors
from .graphql_responses import bad_request_error, find_operation, invalid_character

log = logging.getLogger("wellspring.live")
PROTOCOL = "graphql-transport-ws"
# A phone needs two or three, a dispatcher's board a few more; each held about 28 KB.
MAX_SUBSCRIPTIONS = 50


class Closed(Exception):
    """The connection was closed with a protocol code; stop reading."""


class SubscriptionEndpoint:
    def __init__(self, endpoint: GraphQLEndpoint) -> None:
        self.endpoint = endpoint
        self.authenticate = functools.partial(live_auth.authenticate, config=endpoint.auth_config)

    async def handle(self, websocket: WebSocket) -> None:
        if PROTOCOL not in websocket.scope.get("subprotocols", []):
            await websocket.accept()
            await websocket.close(4406, "Subprotocol not acceptable")
            return
        await websocket.accept(subprotocol=PROTOCOL)
        connection = Connection(self, websocket)
        await connection.run()


class Connection:
    def __init__(self, owner: SubscriptionEndpoint, websocket: WebSocket) -> None:
        self.owner = owner
        self.endpoint = owner.endpoint
        self.websocket = websocket
        self.settings = owner.endpoint.settings
        app_state = websocket.app.state
        self.factory: async_sessionmaker[AsyncSession] = app_state.session_factory
        self.bus: Bus = app_state.live_bus
        self.locale = negotiate(websocket.headers.get("accept-language"))
        self.initialised = False
        self.actor: Actor | None = None
        self.operations: dict[str, asyncio.Task[None]] = {}
        self.closed = False
        self._send_lock = asyncio.Lock()
        self._credentials: dict[str, Any] = {}
        self._unwatch: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        timer = asyncio.create_task(self._init_timeout())
        recheck = asyncio.create_task(self._recheck())
        try:
            while not self.closed:
                frame = await self.websocket.receive()
                if frame["type"] == "websocket.disconnect":
                    break
                await self._on_frame(frame)
        except (WebSocketDisconnect, Closed):
            pass
        finally:
            if self._unwatch is not None:
                self._unwatch()
            timer.cancel()
            recheck.cancel()
            for task in list(self.operations.values()):
                task.cancel()
            self.closed = True

    async def _init_timeout(self) -> None:
        await asyncio.sleep(self.settings.ws_init_timeout_seconds)
        if not self.initialised:
            await self.close(4408, "Connection initialisation timeout")

    async def _recheck(self) -> None:
        """A connection lives no longer than its token: expired, or (should the bus's message
        of a signed-out session be lost) signed out or deactivated, it is closed with 4401
        (the client signs in again and resumes with its cursor)."""
        while not self.closed:
            await asyncio.sleep(self.settings.ws_recheck_seconds)
            if self.actor is None:
                continue
            try:
                async with self.factory() as session:
                    still = await self.owner.authenticate(session, self._credentials)
            except Exception:  # the database away: keep the connection, check next time
                log.warning("could not check a live connection's token", exc_info=True)
                continue
            if still is None:
                await self.close(4401, "Unauthorized")

    async def close(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        # A close frame's reason holds 123 bytes of UTF-8 at most: a longer one (an id of
        # Chinese characters in it) failed the close, and the socket just dropped (1006).
        short = reason.encode("utf-8", "replace")[:123].decode("utf-8", "ignore")
        with contextlib.suppress(Exception):  # the client may be gone already
            await self.websocket.close(code, short)

    async def send(self, body: dict[str, Any]) -> None:
        if self.closed:
            return
        async with self._send_lock:
            with contextlib.suppress(Exception):
                await self.websocket.send_text(json.dumps(body, ensure_ascii=False))

    async def _shut(self, code: int, reason: str) -> NoReturn:
        await self.close(code, reason)
        raise Closed

    async def _bad(self) -> NoReturn:
        await self._shut(4400, "Invalid message received")

    # -- messages ---------------------------------------------------------------------------
    async def _on_frame(self, frame: MutableMapping[str, Any]) -> None:
        text = frame.get("text")
        if not isinstance(text, str):
            await self._bad()
        if len(text) > self.settings.max_body_bytes:
            await self._shut(1009, "Message too big")
        try:
            msg = json.loads(text)
        except (ValueError, RecursionError):
            await self._bad()
        if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
            await self._bad()
        handler = {
            "connection_init": self._on_init,
            "ping": self._on_ping,
            "pong": self._on_pong,
            "subscribe": self._on_subscribe,
            "complete": self._on_complete,
        }.get(msg["type"])
        if handler is None:
            await self._bad()
        await handler(msg)

    async def _on_init(self, msg: dict[str, Any]) -> None:
        if self.initialised:
            await self._shut(4429, "Too many initialisation requests")
        payload = msg.get("payload")
        if payload is not None and not isinstance(payload, dict):
            await self._bad()
        self.initialised = True
        self._credentials = payload or {}
        try:
            async with self.factory() as session:
                self.actor = await self.owner.authenticate(session, self._credentials)
        except PoolTimeout:  # 1013 "Try Again Later": the server, not the credentials
            log.warning("database pool exhausted", extra={"path": "connection_init"})
            await self._shut(1013, "Service busy, try again later")
        if self.actor is None:
            await self._shut(4401, "Unauthorized")
        if self.actor.session_id:  # signed out or revoked anywhere: closed at once
            keys = [f"session:{self.actor.session_id}", f"user:{self.actor.user_id}"]
            self._unwatch = self.bus.watch_session(keys, self._session_ended)
        await self.send({"type": "connection_ack"})

    def _session_ended(self) -> None:
        task = asyncio.get_running_loop().create_task(self.close(4401, "Unauthorized"))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _on_ping(self, msg: dict[str, Any]) -> None:
        if "payload" in msg and not isinstance(msg["payload"], dict | None):
            await self._bad()
        await self.send({"type": "pong"})

    async def _on_pong(self, msg: dict[str, Any]) -> None:
        if "payload" in msg and not isinstance(msg["payload"], dict | None):
            await self._bad()

    async def _on_complete(self, msg: dict[str, Any]) -> None:
        op_id = msg.get("id")
        if not isinstance(op_id, str) or not op_id:
            await self._bad()
        task = self.operations.pop(op_id, None)
        if task is not None:
            task.cancel()

    async def _on_subscribe(self, msg: dict[str, Any]) -> None:
        if self.actor is None:
            await self._shut(4401, "Unauthorized")
        op_id, payload = msg.get("id"), msg.get("payload")
        if not isinstance(op_id, str) or not op_id or not isinstance(payload, dict):
            await self._bad()
        if input_guard.unstorable(op_id):  # every answer names the id: it must encode
            await self._bad()
        query, variables = payload.get("query"), payload.get("variables")
        name = payload.get("operationName")
        if (
            not isinstance(query, str)
            or not isinstance(variables, dict | None)
            or not isinstance(name, str | None)
            or not isinstance(payload.get("extensions"), dict | None)
        ):
            await self._bad()
        if op_id in self.operations:
            await self._shut(4409, f"Subscriber for {op_id[:64]} already exists")
        if len(self.operations) >= MAX_SUBSCRIPTIONS:  # refused, the others keep running
            text = message("TOO_MANY_SUBSCRIPTIONS", self.locale, maximum=MAX_SUBSCRIPTIONS)
            extensions = {"code": "TOO_MANY_SUBSCRIPTIONS", "maximum": MAX_SUBSCRIPTIONS}
            await self._error(op_id, [{"message": text, "extensions": extensions}])
            return
        task = asyncio.create_task(self._operate(op_id, query, variables or {}, name))
        self.operations[op_id] = task

    # -- one operation ----------------------------------------------------------------------
    async def _operate(
        self, op_id: str, query: str, variables: dict[str, Any], name: str | None
    ) -> None:
        try:
            await self._run_operation(op_id, query, variables, name)
        except asyncio.CancelledError:
            raise
        except live.Resync:
            await self.close(1012, "Reconnect with your last cursor")
        except PoolTimeout:  # every pooled connection in use: the client retries, as over HTTP
            log.warning("database pool exhausted", extra={"path": "subscribe"})
            text = message("SERVICE_BUSY", self.locale, retry_after=RETRY_AFTER_SECONDS)
            extensions = {"code": "SERVICE_BUSY", "retryAfter": RETRY_AFTER_SECONDS}
            await self._error(op_id, [{"message": text, "extensions": extensions}])
        except Exception:
            log.exception("subscription %s failed", op_id[:64])
            error = GraphQLError(message("INTERNAL_ERROR", self.locale, request_id=""))
            await self.send({"id": op_id, "type": "error", "payload": [error.formatted]})
        finally:
            if self.operations.get(op_id) is asyncio.current_task():
                del self.operations[op_id]

    async def _error(self, op_id: str, errors: list[Any]) -> None:
        await self.send({"id": op_id, "type": "error", "payload": errors})

    async def _run_operation(
        self, op_id: str, query: str, variables: dict[str, Any], name: str | None
    ) -> None:
        refused = self._refused_variables(variables)
        if refused is not None:
            await self._error(op_id, [refused])
            return
        prepared = self.endpoint.prepare(query, self.locale)
        if prepared.errors or prepared.document is None:
            await self._error(op_id, [e.formatted for e in prepared.errors])
            return
        operation = find_operation(prepared.document, name)
        if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
            await self._error(op_id, [bad_request_error(self.locale, "ONE_SUBSCRIPTION")])
            return
        schema = self.endpoint.schema
        cost = limits.cost_rule(schema, self.settings.max_query_cost, self.locale, variables)
        cost_errors = validate(schema, prepared.document, [cost])
        if cost_errors:
            await self._error(op_id, [e.formatted for e in cost_errors])
            return
        async with self.factory() as session:
            ctx = self._context(session)
            result = await subscribe(
                schema,
                prepared.document,
                context_value=ctx,
                variable_values=variables,
                operation_name=name,
            )
        if isinstance(result, ExecutionResult):
            if result.errors and all(is_variable_error(e) for e in result.errors):
                # variables that do not fit their types, answered as over HTTP
                production = self.settings.is_production
                errors = variable_errors(result.errors, self.locale, production=production)
                await self._error(op_id, errors)
                return
            payload = self.endpoint.format_result(result, self.locale)
            await self.send({"id": op_id, "type": "next", "payload": payload})
        else:
            async for item in result:
                payload = self.endpoint.format_result(item, self.locale)
                await self.send({"id": op_id, "type": "next", "payload": payload})
        await self.send({"id": op_id, "type": "complete"})

    def _refused_variables(self, variables: dict[str, Any]) -> dict[str, Any] | None:
        """The error of variables no subscription may take, as over HTTP: too deep, or a
        string no driver can store (``input_guard``)."""
        try:
            path = input_guard.unstorable_path(variables)
        except input_guard.TooDeep:
            depth = input_guard.MAX_VARIABLE_DEPTH
            return bad_request_error(self.locale, "TOO_DEEP", maximum=depth)
        return None if path is None else invalid_character(path, self.locale)

    def _context(self, session: AsyncSession) -> RequestContext:
        return RequestContext(
            session=session,
            actor=self.actor,
            locale=self.locale,
            auth=self.endpoint.auth_config,
            loaders=Loaders(session, self.actor),
            now=clock_of(session).now(),
            client_ip=self.websocket.client.host if self.websocket.client else "",
            user_agent=self.websocket.headers.get("user-agent", ""),
            live=self._stream,
        )

    def _stream(self, watch: Watch, after: str | None) -> AsyncIterator[dict[str, Any]]:
        point = live.parse_after(after)  # a bad cursor is the subscribe's error, not later
        return live.stream(self.factory, self.bus, watch, point)
