"""GET /reports/<report>.csv|.xlsx?from=&to=&branch= and GET /reports/monthly.xlsx?month=:
the reports as files, with the same bearer token, permissions and scope as the queries.

A workbook has one sheet per report with a native chart; CSV holds one report. Refusals are
``{"error": {"code", "message"}}`` with 400, 401 or 403 (as ``GET /export/...``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from wellspring.domain.errors import DomainError, PermissionDenied
from wellspring.domain.models import utcnow
from wellspring.domain.reports.exporting import MONTHLY, requested
from wellspring.i18n import negotiate
from wellspring.tabular.charts import csv_bytes, workbook

from .exports import MAX_PARAMS, MEDIA, ExportEndpoint, _error, audited


class ReportEndpoint(ExportEndpoint):
    async def handle(self, request: Request) -> Response:
        locale = negotiate(request.headers.get("accept-language"))
        name, _, fmt = str(request.path_params.get("target", "")).rpartition(".")
        if fmt not in MEDIA or (fmt == "csv" and name == MONTHLY):
            return _error(400, "REPORT_UNKNOWN", locale, value=(name or fmt)[:64])
        params = list(request.query_params.multi_items())
        if len(params) > MAX_PARAMS or len({k for k, _ in params}) != len(params):
            return _error(400, "EXPORT_INVALID_FILTER", locale, value="")
        factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
        async with factory() as session:
            actor = await self._actor(request, session)
            if actor is None:
                return _error(401, "UNAUTHENTICATED", locale)
            try:
                tables = await requested(session, actor, name, dict(params))
                await audited(factory, actor, "report", name, dict(params))
            except DomainError as error:
                params_: dict[str, Any] = dict(error.params)
                return _error(400, error.code, locale, field=error.field or "", **params_)
            except PermissionDenied:
                return _error(403, "FORBIDDEN", locale)
        filename = f"{name}-{utcnow():%Y%m%d-%H%M}.{fmt}"
        headers = {"content-disposition": f'attachment; filename="{filename}"'}
        if fmt == "csv":
            return Response(csv_bytes(tables[0]), media_type=MEDIA[fmt], headers=headers)
        body = workbook(tables, "管理月报" if name == MONTHLY else tables[0].title)
        return Response(body, media_type=MEDIA[fmt], headers=headers)
