"""The HTTP side of sync: POST /sync/pull and POST /sync/push, JSON, bearer token.

Each answer is either WatermelonDB's shape or ``{"error": {"code", "message"}}`` with a 4xx
status; a refused request changes nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wellspring.digits import is_digits
from wellspring.domain import auth, versioning
from wellspring.domain.actor import Actor
from wellspring.domain.auth import AuthConfig
from wellspring.domain.clock import clock_of
from wellspring.domain.db import declare_writes
from wellspring.domain.errors import DomainError, NotAuthenticated, PermissionDenied
from wellspring.domain.models import SyncClient
from wellspring.domain.sync import baseline, batch, rules
from wellspring.i18n import message, negotiate
from wellspring.streaming import ClosingStreamingResponse

from . import incoming, pull, push
from .errors import SyncError
from .tables import SCHEMA_VERSIONS, TABLES

CLIENT_HEADER = "x-sync-client"
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# Far deeper than any request of the protocol needs (a push's records are at level 5).
MAX_DEPTH = 32


class SyncEndpoints:
    def __init__(self, auth_config: AuthConfig, max_body_bytes: int) -> None:
        self.auth_config = auth_config
        self.max_body_bytes = max_body_bytes

    async def pull(self, request: Request) -> Response:
        locale = negotiate(request.headers.get("accept-language"))
        factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
        try:
            body = await self._body(request)
            last, schema_version, migration = _pull_request(body)
            unsynced = body.get("unsyncedChanges")
            if unsynced is not None and not isinstance(unsynced, bool):
                raise SyncError(400, "SYNC_BAD_REQUEST")
            async with factory() as session:
                # A pull writes (the installation, what it holds) after reading: SQLite's lock
                # is taken up front, or a writer committing in between would fail the upgrade.
                await declare_writes(session)
                actor = await self._actor(request, session)
                client = await _client(session, request, actor, None)
                # The fast path needs the cursor this installation's last pull returned, with
                # its schema (the held set as of that cursor is then that pull's scope).
                quiet_since = (
                    client.last_pull_at
                    if last is not None
                    and client.last_cursor == last
                    and client.schema_version == schema_version
                    else None
                )
                now = clock_of(session).now()
                plan = await pull.plan_pull(
                    session,
                    actor,
                    client_id=client.id,
                    last_pulled_at=last,
                    schema_version=schema_version,
                    migration=migration,
                    now=now,
                    quiet_since=quiet_since,
                )
                # Written after the reads: one UPDATE at commit.
                client.schema_version = schema_version
                client.last_pull_at = now
                client.last_cursor = plan.timestamp
                client.edit_baseline = baseline.after_pull(
                    client.edit_baseline or 0,
                    pulled_from=last,
                    returned=plan.timestamp,
                    unsynced=unsynced,
                    conflict_cursor=client.conflict_cursor or 0,
                )
                answer = None
                if pull.records_planned(plan) <= pull.INLINE_RECORDS:
                    # A small answer is read here: no second session, no stream.
                    await session.flush()
                    answer = await pull.changes_json(session, plan)
                await session.commit()
        except SyncError as error:
            return _error(error, locale)
        except IntegrityError:
            # Two syncs of one installation at once: the loser retries (nothing was applied).
            return _error(SyncError(409, "SYNC_IN_PROGRESS"), locale)
        except DBAPIError as error:
            if not _retry_later(error):
                raise
            return _error(SyncError(409, "SYNC_COLLIDED"), locale)
        if answer is not None:
            return Response(answer, media_type="application/json")
        return ClosingStreamingResponse(
            pull.stream_changes(factory, plan), media_type="application/json"
        )

    async def push(self, request: Request) -> Response:
        locale = negotiate(request.headers.get("accept-language"))
        factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
        try:
            body = await self._body(request)
            async with factory() as session:
                await declare_writes(session)
                actor = await self._actor(request, session, writes=True)
                client = await _client(session, request, actor, None)
                cursor, records = incoming.parse(body, client.schema_version)
                if cursor > await versioning.highest_version(session):
                    raise SyncError(400, "CURSOR_AHEAD")
                seen = baseline.edits_seen(client.edit_baseline or 0, cursor)
                batch.begin(session)
                try:
                    await push.check_jobs(session, actor, client.id, records)
                    await push.preload(session, actor, records)
                    answer = await push.apply(
                        session,
                        actor,
                        client_id=client.id,
                        cursor=cursor,
                        seen=seen,
                        records=records,
                        schema_version=client.schema_version,
                        locale=locale,
                    )
                finally:
                    batch.end(session)
                client.conflict_cursor = baseline.after_push(
                    client.conflict_cursor or 0,
                    push_cursor=cursor,
                    conflicts=bool(answer["conflicts"]),
                )
                client.last_push_at = clock_of(session).now()
                await session.commit()
        except SyncError as error:
            return _error(error, locale)
        except IntegrityError:
            return _error(SyncError(409, "SYNC_IN_PROGRESS"), locale)
        except DBAPIError as error:
            if not _retry_later(error):
                raise
            return _error(SyncError(409, "SYNC_COLLIDED"), locale)
        return JSONResponse(answer)

    async def _body(self, request: Request) -> Any:
        declared = request.headers.get("content-length")
        if declared is not None and is_digits(declared) and int(declared) > self.max_body_bytes:
            raise SyncError(413, "PAYLOAD_TOO_LARGE", limit=self.max_body_bytes)
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body_bytes:
                raise SyncError(413, "PAYLOAD_TOO_LARGE", limit=self.max_body_bytes)
            chunks.append(chunk)
        return parse_json(b"".join(chunks))

    async def _actor(
        self, request: Request, session: AsyncSession, *, writes: bool = False
    ) -> Actor:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise SyncError(401, "UNAUTHENTICATED")
        try:
            actor = await auth.authenticate(
                session, config=self.auth_config, token=token.strip(), writes=writes
            )
        except NotAuthenticated:
            raise SyncError(401, "UNAUTHENTICATED") from None
        request.scope.setdefault("wellspring", {})["user"] = actor.username  # the access log's
        try:
            rules.check_may_sync(actor)
        except PermissionDenied:
            raise SyncError(403, "FORBIDDEN") from None
        return actor


def parse_json(raw: bytes) -> Any:
    """The request's JSON, or a 400: malformed, nested too deep, an integer beyond 64 bits."""
    try:
        body = json.loads(raw or b"null", parse_int=_int64)
    except RecursionError:
        raise SyncError(400, "SYNC_TOO_DEEP", maximum=MAX_DEPTH) from None
    except (ValueError, UnicodeDecodeError):  # JSONDecodeError is a ValueError
        raise SyncError(400, "SYNC_BAD_REQUEST") from None
    if _depth(body) > MAX_DEPTH:
        raise SyncError(400, "SYNC_TOO_DEEP", maximum=MAX_DEPTH)
    return body


def _int64(text: str) -> int:
    # Checked on the digits, before Python converts them (a long one would take a while).
    if len(text.lstrip("-")) > 19 or not -(2**63) <= int(text) < 2**63:
        raise SyncError(400, "NUMBER_TOO_LARGE")
    return int(text)


def _depth(value: Any) -> int:
    """How deep the JSON nests (a push needs 5: body, changes, table, kind list, record)."""
    deepest, level = 0, [(value, 1)]
    while level:
        item, depth = level.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            level.extend((v, depth + 1) for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            level.extend((v, depth + 1) for v in item if isinstance(v, dict | list))
    return deepest


def _pull_request(body: Any) -> tuple[int | None, int, pull.Migration | None]:
    if not isinstance(body, dict):
        raise SyncError(400, "SYNC_BAD_REQUEST")
    last = body.get("lastPulledAt")
    if last is not None and (
        isinstance(last, bool) or not isinstance(last, int) or not 0 < last <= incoming.MAX_CURSOR
    ):
        raise SyncError(400, "INVALID_SYNC_CURSOR")
    version = body.get("schemaVersion", 1)
    if isinstance(version, bool) or version not in SCHEMA_VERSIONS:
        raise SyncError(400, "UNSUPPORTED_SCHEMA_VERSION", supported=str(list(SCHEMA_VERSIONS)))
    raw = body.get("migration")
    if raw is None:
        return last, version, None
    if not isinstance(raw, dict) or last is None:
        raise SyncError(400, "INVALID_MIGRATION")
    start = raw.get("from")
    if isinstance(start, bool) or not isinstance(start, int) or not 1 <= start < version:
        raise SyncError(400, "INVALID_MIGRATION")
    migration = pull.Migration()
    for name in _names(raw.get("tables")):
        if name not in TABLES:
            raise SyncError(400, "UNKNOWN_TABLE", table=name)
        migration.tables.add(name)
    for entry in _entries(raw.get("columns")):
        table = TABLES.get(str(entry.get("table")))
        if table is None:
            raise SyncError(400, "INVALID_MIGRATION")
        known = {c.name for c in table.columns}
        for column in _names(entry.get("columns")):
            if column not in known:
                raise SyncError(400, "UNKNOWN_COLUMN", table=table.name, column=str(column)[:64])
        migration.columns.add(table.name)
    return last, version, migration


def _names(value: Any) -> list[str]:
    """A migration's list of table or column names (null: none)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SyncError(400, "INVALID_MIGRATION")
    return value


def _entries(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise SyncError(400, "INVALID_MIGRATION")
    return value


async def _client(
    session: AsyncSession, request: Request, actor: Actor, schema_version: int | None
) -> SyncClient:
    """The phone installation named by the X-Sync-Client header, bound to one user."""
    client_id = request.headers.get(CLIENT_HEADER, "")
    if not CLIENT_ID.match(client_id):
        raise SyncError(400, "SYNC_CLIENT_REQUIRED")
    try:
        return await rules.installation(session, actor, client_id, schema_version)
    except DomainError as error:  # bound to another user
        raise SyncError(409, error.code) from None


# PostgreSQL gave up this transaction for another one's sake (a deadlock, a serialization
# failure): nothing was applied, and the same request sent again can succeed.
RETRY_LATER_STATES = frozenset({"40P01", "40001"})


def _retry_later(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in RETRY_LATER_STATES


def _error(error: SyncError, locale: str) -> JSONResponse:
    text = message(error.code, locale, **error.params)
    return JSONResponse({"error": {"code": error.code, "message": text}}, status_code=error.status)
