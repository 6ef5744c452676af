"""Every message a person reads, in Simplified Chinese and English, keyed by its error code.

Codes are stable identifiers clients switch on; messages may change wording freely.
"""

from __future__ import annotations

from typing import Any

from . import (
    auth,
    custom_fields,
    dealers,
    dispatch,
    hotline,
    imports,
    masterdata,
    media,
    notifications,
    outlets,
    reports,
    stock,
    sync,
    tracking,
    transport,
    workflow,
)
from .export_values import VALUES_ZH
from .terms import DETAILS, ROLES, STATUSES, action_name, field_name, history_reason, term

__all__ = ["history_reason", "message", "negotiate"]

ZH = "zh-CN"
EN = "en"
LOCALES = (ZH, EN)
DEFAULT_LOCALE = ZH

# Each area's catalogue; a code lives in exactly one of them.
_AREAS = (
    auth,
    workflow,
    stock,
    transport,
    dispatch,
    sync,
    masterdata,
    media,
    imports,
    notifications,
    custom_fields,
    tracking,
    dealers,
    outlets,
    hotline,
    reports,
)
MESSAGES: dict[str, tuple[str, str]] = {}
for _area in _AREAS:
    if MESSAGES.keys() & _area.MESSAGES.keys():
        raise RuntimeError(f"{_area.__name__} repeats a message code")
    MESSAGES.update(_area.MESSAGES)


def negotiate(accept_language: str | None) -> str:
    """Pick zh-CN or en from an Accept-Language header (zh-CN when nothing matches)."""
    if not accept_language:
        return DEFAULT_LOCALE
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.strip().lower()))
    for _q, _i, tag in sorted(ranked):
        if tag.startswith("zh"):
            return ZH
        if tag.startswith("en"):
            return EN
    return DEFAULT_LOCALE


def message(code: str, locale: str, **params: Any) -> str:
    """The message for a code in a locale; unknown codes fall back to the code itself.

    Raw values of ``status``, ``mode``, ``action``, ``role`` and ``field`` are named in the
    locale's words, so no state name or input path shows in English inside Chinese text.
    ``{value}`` echoes what the user typed as is, unless the raise site passes it as
    ``value_code`` (an enum value: ``REPAIR`` → 报修) or ``value_field`` (an input name:
    ``credit_limit`` → 信用额度); named params survive an import problem's stored JSON.
    """
    zh, en = MESSAGES.get(code, (code, code))
    template = en if locale == EN else zh
    return _fill(template, locale, params)


def detail(key: str, locale: str, **params: Any) -> str:
    """A fragment of a transport message (``wellspring.i18n.terms.DETAILS``)."""
    zh, en = DETAILS.get(key, DETAILS["OTHER"])
    return _fill(en if locale == EN else zh, locale, params)


def _fill(template: str, locale: str, params: dict[str, Any]) -> str:
    named = dict(params)
    index = 0 if locale != EN else 1
    for key in ("status", "mode"):
        if key in named:
            named[key] = term(STATUSES, str(named[key]), index)
    if "role" in named:
        named["role"] = term(ROLES, str(named["role"]), index)
    if "action" in named:
        named["action"] = action_name(str(named["action"]), locale)
    if "field" in named:
        named["field"] = field_name(str(named["field"] or ""), locale)
    if "value_code" in named:
        code = str(named.pop("value_code"))
        named["value"] = code if locale == EN else VALUES_ZH.get(code, code)
    if "value_field" in named:
        named["value"] = field_name(str(named.pop("value_field")), locale)
    if "columns" in named and locale != EN:
        names = str(named["columns"]).split(", ")
        named["columns"] = "、".join(imports.COLUMNS_ZH.get(n, n) for n in names)
    try:
        return template.format(**named)
    except (KeyError, IndexError):
        return template
