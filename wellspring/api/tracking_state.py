"""The tracking page's state: the domain's visit view as the page's JSON, with its words and
times already in the page's language (Asia/Shanghai times), and map points in the tiles'
coordinate system."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import orjson

from wellspring.domain.config import TIME_ZONE
from wellspring.domain.tracking.view import Point, Stage, VisitView
from wellspring.geo.coords import CoordSystem, from_wgs84
from wellspring.i18n.tracking import PAGE

from ..schema.core.ids import global_id


def word(key: str, locale: str) -> str:
    zh, en = PAGE[key]
    return en if locale == "en" else zh


def _local(value: dt.datetime | None, fmt: str) -> str | None:
    return value.astimezone(TIME_ZONE).strftime(fmt) if value is not None else None


def _window(view: VisitView) -> str | None:
    start, end = view.window_start, view.window_end
    if start is None:
        return None
    text = _local(start, "%m-%d %H:%M") or ""
    return f"{text}–{_local(end, '%H:%M')}" if end is not None else text


def _point(point: Point | None, crs: CoordSystem) -> dict[str, float] | None:
    if point is None:
        return None
    lat, lon = from_wgs84(point.latitude, point.longitude, crs)
    return {"lat": round(lat, 5), "lon": round(lon, 5)}


def state(view: VisitView, locale: str, crs: CoordSystem) -> dict[str, Any]:
    """What the page renders; nothing the view does not already allow."""
    current = view.stage
    steps = [
        {
            "stage": step.stage.value,
            "label": word(step.stage.value, locale),
            "reached": step.reached,
            "current": step.stage is current,
            "time": _local(step.at, "%m-%d %H:%M") if step.reached else None,
        }
        for step in view.steps
    ]
    engineer = None
    if view.engineer_name:
        engineer = {
            "name": view.engineer_name,
            "phone": view.engineer_phone or None,
            "photoUrl": view.engineer_photo_url or None,
        }
    return {
        "ticketId": global_id("Ticket", view.ticket_id),
        "ticketNumber": view.ticket_number,
        "stage": current.value,
        "stageLabel": word(current.value, locale),
        "cancelled": current is Stage.CANCELLED,
        "steps": steps,
        "window": _window(view),
        "eta": _local(view.eta, "%H:%M"),
        "engineer": engineer,
        "hotline": view.hotline,
        "position": _point(view.engineer_position, crs),
        "destination": _point(view.destination, crs),
        "canRate": view.can_rate,
        "score": view.score,
        "canRequestChange": view.can_request_change,
        "changeRequested": [kind.value for kind in view.change_requested],
        "expiresAt": view.expires_at.isoformat() if view.expires_at else None,
    }


def encode(body: dict[str, Any]) -> tuple[bytes, str]:
    """The JSON bytes and their ETag (a hash of them: same state, same tag)."""
    raw = orjson.dumps(body)
    return raw, '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'
