"""The tracking page's HTML: the first paint rendered here from the page's state (so it reads
without script), then ``static/tracking.js`` keeps it current. Every value is escaped."""

from __future__ import annotations

from html import escape
from typing import Any

import orjson

from wellspring.i18n.tracking import PAGE

from .tracking_state import word

LEAFLET = "/static/vendor/leaflet"


def _lang(locale: str) -> str:
    return "en" if locale == "en" else "zh-CN"


def _switch(locale: str) -> str:
    other = "zh" if locale == "en" else "en"
    lang = "zh-CN" if other == "zh" else "en"
    return (
        f'<a class="lang" href="?lang={other}" hreflang="{lang}" lang="{lang}">'
        f"{escape(word('language', locale))}</a>"
    )


def _head(locale: str, title: str, *, leaflet: bool, refresh: int | None = None) -> str:
    css = f'<link rel="stylesheet" href="{LEAFLET}/leaflet.css">' if leaflet else ""
    again = f'<meta http-equiv="refresh" content="{int(refresh)}">' if refresh else ""
    return (
        f'<!doctype html><html lang="{_lang(locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">'
        f"{again}<title>{escape(title)}</title>{css}"
        '<link rel="stylesheet" href="/static/tracking.css"></head>'
    )


def _steps(state: dict[str, Any]) -> str:
    items = []
    for step in state["steps"]:
        classes = " ".join(
            c for c, on in (("reached", step["reached"]), ("current", step["current"])) if on
        )
        current = ' aria-current="step"' if step["current"] else ""
        items.append(
            f'<li class="step {classes}" data-stage="{step["stage"]}"{current}>'
            f'<span class="label">{escape(step["label"])}</span>'
            f'<span class="time">{escape(step["time"] or "")}</span></li>'
        )
    return "".join(items)


def _row(key: str, locale: str, value: str, row_id: str) -> str:
    return (
        f'<div class="row" id="{row_id}-row"><dt>{escape(word(key, locale))}</dt>'
        f'<dd id="{row_id}">{value}</dd></div>'
    )


def _details(state: dict[str, Any], locale: str) -> str:
    engineer = state["engineer"] or {}
    hotline = escape(state["hotline"])
    return (
        '<dl class="details">'
        + _row("window", locale, escape(state["window"] or "—"), "window")
        + _row("eta", locale, escape(state["eta"] or "—"), "eta")
        + _row("engineer", locale, escape(engineer.get("name") or "—"), "engineer")
        + _row("hotline", locale, f'<a href="tel:{hotline}">{hotline}</a>', "hotline")
        + "</dl>"
    )


def _scores(locale: str) -> str:
    radios = "".join(
        f'<label class="score"><input type="radio" name="score" value="{n}" required>'
        f"<span>{n}</span></label>"
        for n in range(1, 6)
    )
    return f"<fieldset><legend>{escape(word('score', locale))}</legend>{radios}</fieldset>"


def _forms(locale: str) -> str:
    def w(key: str) -> str:
        return escape(word(key, locale))

    return (
        f'<section id="rate" class="card" hidden aria-labelledby="rate-h">'
        f'<h2 id="rate-h">{w("rate")}</h2><form id="rate-form">{_scores(locale)}'
        f'<label for="rate-comment">{w("comment")}</label>'
        '<textarea id="rate-comment" name="comment" maxlength="1000" rows="3"></textarea>'
        f'<button type="submit">{w("send")}</button></form>'
        f'<p id="rated" hidden>{w("thanks")} <span id="rated-score"></span></p></section>'
        f'<section id="change" class="card" hidden aria-labelledby="change-h">'
        f'<h2 id="change-h" class="sr-only">{w("reschedule")}</h2>'
        f'<label for="change-note" id="change-note-label">{w("note")}</label>'
        '<textarea id="change-note" maxlength="1000" rows="2"></textarea>'
        f'<div class="buttons"><button type="button" id="ask-reschedule">{w("reschedule")}'
        f'</button><button type="button" id="ask-cancel" class="secondary">{w("cancel")}'
        f'</button></div><p id="change-done" hidden>{w("requested")}</p></section>'
    )


def page(state: dict[str, Any], config: dict[str, Any], locale: str, *, leaflet: bool) -> str:
    """The page for a working link: state first painted, config for the script."""
    title = word("title", locale)
    data = orjson.dumps({**config, "state": state}).decode().replace("</", "<\\/")
    vendor = f'<script src="{LEAFLET}/leaflet.js"></script>' if leaflet else ""
    return (
        _head(locale, title, leaflet=leaflet)
        + f'<body><main id="app"><header><h1>{escape(title)}</h1>{_switch(locale)}</header>'
        f'<p class="ticket">{escape(word("ticket", locale))} '
        f'<span id="ticket-number">{escape(state["ticketNumber"])}</span> · '
        f'<strong id="stage">{escape(state["stageLabel"])}</strong></p>'
        f'<section class="card" aria-label="{escape(word("title", locale))}">'
        f'<ol id="timeline">{_steps(state)}</ol>{_details(state, locale)}</section>'
        f'<section class="card" id="map-card" aria-labelledby="map-h">'
        f'<h2 id="map-h">{escape(word("map", locale))}</h2>'
        '<div id="map"></div>'
        f'<p id="map-note">{escape(word("map_hidden", locale))}</p></section>'
        + _forms(locale)
        + '<p id="live" class="muted" aria-live="polite"></p></main>'
        f'<script id="config" type="application/json">{data}</script>{vendor}'
        '<script src="/static/tracking.js"></script></body></html>'
    )


def refused(locale: str) -> str:
    """The same page whatever the reason (unknown, expired, revoked): no hint which."""
    title = word("refused_title", locale)
    return (
        _head(locale, title, leaflet=False)
        + f'<body><main id="app" class="refused"><header><h1>{escape(title)}</h1>'
        f"{_switch(locale)}</header>"
        f'<p class="card">{escape(word("refused", locale))}</p></main></body></html>'
    )


def slowed(locale: str, *, retry_after: int) -> str:
    """Too many requests (429): says so and to try again shortly, never that the link is
    dead, and reloads itself once ``retry_after`` seconds (the Retry-After) have passed."""
    title = word("slow_down_title", locale)
    again = word("retry_in", locale).format(seconds=retry_after)
    return (
        _head(locale, title, leaflet=False, refresh=retry_after)
        + f'<body><main id="app" class="refused slowed"><header><h1>{escape(title)}</h1>'
        f"{_switch(locale)}</header>"
        f'<p class="card">{escape(word("slow_down", locale))} {escape(again)}</p>'
        "</main></body></html>"
    )


__all__ = ["PAGE", "page", "refused", "slowed"]
