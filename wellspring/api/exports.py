"""GET /export/<list>.csv|.xlsx?name=value...: a dispatcher's list as a file, streamed.

The bearer token decides what is in it, exactly as for the list itself (``domain.exports``).
Refusals are ``{"error": {"code", "message"}}`` with 400, 401 or 403, before any byte of the
file; headers are in the caller's language (Accept-Language), and so, in Chinese, are the
coded columns' values (English keeps the codes the filters take).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wellspring.domain import auth
from wellspring.domain.actor import SYSTEM, Actor
from wellspring.domain.auth import AuthConfig
from wellspring.domain.db import create_engine, declare_writes, session_factory
from wellspring.domain.errors import DomainError, NotAuthenticated, PermissionDenied
from wellspring.domain.exports.lists import COLUMNS, Export, export, parse_list, record_download
from wellspring.domain.models import Technician, User, utcnow
from wellspring.i18n import message, negotiate
from wellspring.i18n.export_values import coded_places, in_words
from wellspring.i18n.imports import header
from wellspring.streaming import ClosingStreamingResponse
from wellspring.tabular.writing import csv_chunks, file_chunks, xlsx_file

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_PARAMS = 20


def _error(status: int, code: str, locale: str, **params: Any) -> Response:
    body = {"error": {"code": code, "message": message(code, locale, **params)}}
    return JSONResponse(body, status_code=status)


class ExportEndpoint:
    def __init__(self, auth_config: AuthConfig) -> None:
        self.auth_config = auth_config

    async def handle(self, request: Request) -> Response:
        locale = negotiate(request.headers.get("accept-language"))
        name, _, fmt = str(request.path_params.get("target", "")).rpartition(".")
        if fmt not in MEDIA:
            return _error(400, "EXPORT_UNKNOWN_LIST", locale, value=name[:64] or fmt[:64])
        params = list(request.query_params.multi_items())
        if len(params) > MAX_PARAMS:
            return _error(400, "EXPORT_INVALID_FILTER", locale, value=params[MAX_PARAMS][0][:64])
        names = [k for k, _ in params]
        repeated = next((k for k in names if names.count(k) > 1), None)
        if repeated is not None:  # named, so the caller knows which to send once
            return _error(400, "EXPORT_INVALID_FILTER", locale, value=repeated[:64])
        factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
        session = factory()
        try:
            actor = await self._actor(request, session)
            if actor is None:
                await _close(session)
                return _error(401, "UNAUTHENTICATED", locale)
            result = await export(session, actor, parse_list(name), dict(params), now=utcnow())
            await audited(factory, actor, "list", result.name.value, dict(params))
        except DomainError as error:
            await _close(session)
            return _error(400, error.code, locale, field=error.field or "", **error.params)
        except PermissionDenied:
            await _close(session)
            return _error(403, "FORBIDDEN", locale)
        except BaseException:
            await _close(session)
            raise
        headers = [header(c, locale) for c in result.columns]
        rows = result.rows if locale == "en" else _in_words(result)
        filename = f"{result.name.value}-{utcnow():%Y%m%d-%H%M}.{fmt}"
        disposition = {"content-disposition": f'attachment; filename="{filename}"'}
        if fmt == "csv":
            return ClosingStreamingResponse(
                csv_chunks(headers, rows),
                media_type=MEDIA[fmt],
                headers=disposition,
                cleanup=lambda: _close(session),
            )
        try:
            path, _count = await xlsx_file(headers, rows)
        finally:
            await _close(session)
        return ClosingStreamingResponse(
            file_chunks(path),
            media_type=MEDIA[fmt],
            headers=disposition,
            cleanup=lambda: _remove(path),  # a client gone before the first byte
        )

    async def _actor(self, request: Request, session: AsyncSession) -> Actor | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            actor = await auth.authenticate(session, config=self.auth_config, token=token.strip())
        except NotAuthenticated:
            return None
        request.scope.setdefault("wellspring", {})["user"] = actor.username  # the access log's
        return actor


async def audited(
    factory: async_sessionmaker[AsyncSession],
    actor: Actor,
    kind: str,
    name: str,
    filters: dict[str, str],
) -> None:
    """The download in the audit log, committed before its first byte leaves (in a session of
    its own: the export's session only reads, and keeps reading as the file streams)."""
    async with factory() as session:
        await declare_writes(session)
        record_download(session, actor, kind, name, filters)
        await session.commit()


async def _in_words(result: Export) -> AsyncIterator[list[Any]]:
    """The rows with their coded cells in Chinese (``i18n.export_values``)."""
    places = coded_places(result.columns, len(COLUMNS[result.name]))
    async for row in result.rows:
        yield in_words(row, places)


async def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


async def _close(session: AsyncSession) -> None:
    """Close the session to the end even when this task is cancelled meanwhile (a client that
    leaves mid-file cancels the stream's scope, and every await in it): a close cut short left
    its connection checked out, inside its transaction. ``AsyncSession.__aexit__`` runs the
    close in a task of its own and waits for it."""
    async with session:
        pass


async def _as_user(session: AsyncSession, username: str | None) -> Actor:
    """The login an export from the command line runs as (its visibility); the system if none."""
    if username is None:
        return SYSTEM
    row = (
        await session.execute(
            select(User, Technician.id)
            .outerjoin(Technician, Technician.user_id == User.id)
            .where(User.username == username, User.is_active, User.deleted_at.is_(None))
        )
    ).first()
    if row is None:
        raise DomainError("NOT_FOUND", field="user")
    user, technician_id = row
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        branch_id=user.branch_id,
        agent_id=user.agent_id,
        customer_id=user.customer_id,
        technician_id=technician_id,
    )


async def export_to_file(url: str, args: argparse.Namespace) -> int:
    """``wellspring export``: the same export, written to a file; the rows written."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            actor = await _as_user(session, args.user)
            filters = dict(f.partition("=")[::2] for f in args.filter)
            result: Export = await export(
                session, actor, parse_list(args.list), filters, now=dt.datetime.now(dt.UTC)
            )
            await audited(session_factory(engine), actor, "list", result.name.value, filters)
            headers = [header(c, args.lang) for c in result.columns]
            rows = result.rows if args.lang == "en" else _in_words(result)
            if args.format == "xlsx":
                path, count = await xlsx_file(headers, rows)
                shutil.move(path, args.output)
                return count
            counted = _Counted(rows)
            with args.output.open("wb") as out:
                async for chunk in csv_chunks(headers, counted):
                    out.write(chunk)
            return counted.count
    finally:
        await engine.dispose()


class _Counted:
    def __init__(self, rows: AsyncIterator[list[Any]]) -> None:
        self.rows = rows
        self.count = 0

    def __aiter__(self) -> _Counted:
        return self

    async def __anext__(self) -> list[Any]:
        row = await self.rows.__anext__()
        self.count += 1
        return row
