"""The customer's tracking page (issue 17): ``GET /t/<token>`` and its polled state
``GET /t/<token>/state`` (JSON with an ETag), plus the page's static files and Leaflet's
(from ``web/node_modules``, installed by ``make``; never copied into the repo).

A token that opens nothing (unknown, expired, revoked, malformed), and any other path under
``/t``, gets the same localized refusal page or 404, never a hint which. Both doors are
rate-limited per token and per client address (``domain/tracking/throttle.py``). The page
is served with a strict CSP and ``Referrer-Policy: no-referrer`` so the token in its address
never reaches a tile server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from wellspring.domain.clock import clock_of
from wellspring.domain.errors import DomainError
from wellspring.domain.tracking import links, reads
from wellspring.domain.tracking.throttle import WINDOW_SECONDS
from wellspring.domain.tracking.view import VisitView
from wellspring.geo.coords import CoordSystem
from wellspring.i18n import negotiate
from wellspring.i18n.tracking import PAGE
from wellspring.settings import Settings

from . import tracking_html, tracking_state

STATIC = Path(__file__).resolve().parent / "static"
# What the script needs in the page's language.
SCRIPT_WORDS: tuple[str, ...] = ("thanks", "your_score", "requested", "live", "polling")
SCRIPT_WORDS += ("error", "slow_down", "engineer", "you", "map_hidden")


class _Installable(StaticFiles):
    """A package's files that ``make`` may not have installed: 404 while its directory is
    missing, served from the moment it is there. (Starlette checks the directory on the first
    request and answers every request with a RuntimeError, a 500, while it is missing.)"""

    async def check_config(self) -> None:
        return None


def _origin(template: str) -> str:
    """``https://*.tile.example.com`` for a tile template (its ``{s}`` a wildcard)."""
    parts = urlsplit(template.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class TrackingPage:
    def __init__(self, settings: Settings, *, websocket_path: str | None = None) -> None:
        self.settings = settings
        # The live-update door (graphql-transport-ws); None until subscriptions are wired,
        # and the page then polls its state.
        self.websocket_path = websocket_path
        self.leaflet_dir = Path(settings.web_modules) / "leaflet" / "dist"
        self.crs = CoordSystem(settings.map_tiles_crs)
        tiles = _origin(settings.map_tiles) if settings.map_tiles else ""
        self.csp = "; ".join(
            (
                "default-src 'none'",
                "script-src 'self'",
                "style-src 'self'",
                f"img-src 'self' data: {tiles}".strip(),
                "connect-src 'self'",
                "base-uri 'none'",
                "form-action 'none'",
                "frame-ancestors 'none'",
            )
        )

    @property
    def leaflet(self) -> bool:
        """Leaflet draws the map when it is installed and tiles are configured."""
        return bool(self.settings.map_tiles) and (self.leaflet_dir / "leaflet.js").is_file()

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/t/{token}", self.page, methods=["GET"]),
            Route("/t/{token}/state", self.state, methods=["GET"]),
            # No token, or a path no link makes: the page's own not-found, not Starlette's
            # plain-text English one.
            Route("/t", self.not_found, methods=["GET"]),
            Route("/t/{rest:path}", self.not_found, methods=["GET"]),
            Mount(
                "/static/vendor/leaflet",
                app=_Installable(directory=self.leaflet_dir, check_dir=False),
            ),
            Mount("/static", app=StaticFiles(directory=STATIC)),
        ]

    def _locale(self, request: Request) -> str:
        chosen = request.query_params.get("lang", "")
        if chosen in ("en", "zh"):
            return "en" if chosen == "en" else "zh-CN"
        return negotiate(request.headers.get("accept-language"))

    def _headers(self) -> dict[str, str]:
        return {
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "X-Robots-Tag": "noindex",
            "Content-Security-Policy": self.csp,
            "Vary": "Accept-Language",
        }

    async def _view(self, request: Request, token: str) -> tuple[VisitView | None, bool]:
        """The view a token opens (or None), and whether the request was admitted."""
        address = request.client.host if request.client else ""
        async with request.app.state.session_factory() as session:
            now = clock_of(session).now()
            try:
                await links.admit(session, token=token, address=address, now=now)
            except DomainError:
                return None, False
            return await reads.view_for_token(session, token, now=now), True

    async def page(self, request: Request) -> Response:
        token = request.path_params["token"]
        locale = self._locale(request)
        view, admitted = await self._view(request, token)
        headers = self._headers()
        if not admitted:
            # Too many requests, not a dead link: said so, and the page tries again by itself
            # once Retry-After has passed.
            headers["Retry-After"] = str(WINDOW_SECONDS)
            body = tracking_html.slowed(locale, retry_after=WINDOW_SECONDS)
            return HTMLResponse(body, status_code=429, headers=headers)
        if view is None:
            return HTMLResponse(tracking_html.refused(locale), status_code=404, headers=headers)
        state = tracking_state.state(view, locale, self.crs)
        html = tracking_html.page(state, self._config(token, locale), locale, leaflet=self.leaflet)
        return HTMLResponse(html, headers=headers)

    async def not_found(self, request: Request) -> Response:
        """The same refusal an unknown token gets (404, in the page's language)."""
        body = tracking_html.refused(self._locale(request))
        return HTMLResponse(body, status_code=404, headers=self._headers())

    def _config(self, token: str, locale: str) -> dict[str, Any]:
        lang = "en" if locale == "en" else "zh"
        tiles = None
        if self.leaflet:
            tiles = {"url": self.settings.map_tiles, "attribution": self.settings.map_attribution}
        return {
            "token": token,
            "locale": locale,
            "stateUrl": f"/t/{token}/state?lang={lang}",
            "graphqlUrl": "/graphql",
            "websocketPath": self.websocket_path,
            "pollSeconds": self.settings.tracking_poll_seconds,
            "tiles": tiles,
            "words": {key: PAGE[key][1 if locale == "en" else 0] for key in SCRIPT_WORDS},
        }

    async def state(self, request: Request) -> Response:
        token = request.path_params["token"]
        locale = self._locale(request)
        view, admitted = await self._view(request, token)
        headers = self._headers()
        if not admitted:
            headers["Retry-After"] = str(WINDOW_SECONDS)
            body = {
                "error": "TRACKING_RATE_LIMITED",
                "message": tracking_state.word("slow_down", locale),
            }
            return JSONResponse(body, status_code=429, headers=headers)
        if view is None:
            body = {"error": "LINK_NOT_USABLE", "message": tracking_state.word("refused", locale)}
            return JSONResponse(body, status_code=404, headers=headers)
        raw, etag = tracking_state.encode(tracking_state.state(view, locale, self.crs))
        headers["ETag"] = etag
        if _matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers=headers)
        return Response(raw, media_type="application/json", headers=headers)


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110's weak comparison: one of the listed tags, or "*". It was a substring test,
    so any text that held the tag answered 304."""
    listed = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in listed or etag.removeprefix("W/") in listed
