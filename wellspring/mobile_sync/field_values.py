"""HQ's custom fields as the phone's ticket columns show them (JSON arrays as strings):
``custom_fields`` (schema 4, the values set) and ``on_site_fields`` (schema 6, the fields the
engineer fills on the visit, set or not). pull.py fills them per ticket."""

from __future__ import annotations

from typing import Any

from wellspring.domain import models as m

from .tables import dumps


def custom_fields_json(values: dict[str, Any] | None, fields: list[m.CustomField]) -> str | None:
    """The ticket's custom fields as the phone shows them: active fields with a value, in
    HQ's order, each with its labels and type (a JSON array as a string)."""
    stored = values or {}
    shown = [
        {"key": f.key, "label_zh": f.label_zh, "label_en": f.label_en, "type": f.type.value,
         "value": stored[f.key]}
        for f in fields
        if stored.get(f.key) is not None
    ]  # fmt: skip
    return dumps(shown) if shown else None


def on_site_fields_json(
    ticket: m.Ticket,
    ticket_fields: list[m.CustomField],
    device_fields: list[m.CustomField],
    device_values: dict[str, Any] | None,
) -> str | None:
    """The fields the engineer fills on this ticket's visit (schema 6): the ticket's on-site
    fields, and the device's when the visit installs one or the ticket has one; each with
    its definition and current value (null when not set), in HQ's order."""
    with_device = ticket.type.value == "INSTALL" or ticket.device_id is not None
    rows = [("TICKET", f, ticket.custom_fields or {}) for f in ticket_fields]
    if with_device:
        rows += [("DEVICE", f, device_values or {}) for f in device_fields]
    shown = [
        {"entity": entity, "key": f.key, "label_zh": f.label_zh, "label_en": f.label_en,
         "type": f.type.value, "required": f.required, "options": list(f.options or []),
         "value": stored.get(f.key)}
        for entity, f, stored in rows
    ]  # fmt: skip
    return dumps(shown) if shown else None
