"""The tables a phone holds, their columns and how each is read from the server's records.

This is the contract with the mobile team (docs/sync.md). A column or table removed here
breaks installed apps: add with a new schema version instead (``since``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wellspring.domain import bounds
from wellspring.domain import models as m
from wellspring.domain.media import keys as media_keys
from wellspring.domain.media.config import MediaConfig
from wellspring.domain.models.enums import AttachmentKind, AttachmentStatus
from wellspring.domain.sync import rules
from wellspring.domain.workflow import fieldwork
from wellspring.i18n import ZH, history_reason

SCHEMA_VERSIONS = (1, 2, 3, 4, 5, 6, 7)
CURRENT_SCHEMA = SCHEMA_VERSIONS[-1]


def ms(value: dt.datetime | None) -> int | None:
    """Epoch milliseconds as an integer: WatermelonDB's number columns take nothing else."""
    return None if value is None else int(value.timestamp() * 1000)


@dataclass(frozen=True)
class Column:
    """A phone column: its JSON type and what a phone may send in it (see values.py)."""

    name: str
    kind: str  # string | number | boolean | time (epoch ms)
    since: int = 1
    optional: bool = False
    integer: bool = False
    low: float = -1e15  # numbers; times are checked against TIME_RANGE
    high: float = 1e15
    max_length: int = 4000  # strings
    choices: tuple[str, ...] = ()  # an enumeration's values, when the phone sends one


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    read: Callable[[Any], dict[str, Any]]  # the server row as the phone's record
    since: int = 1

    @property
    def editable(self) -> frozenset[str]:
        """The columns a phone may change on a record it holds (domain/sync/rules.py)."""
        return rules.EDITABLE.get(self.name, frozenset())

    @property
    def creatable(self) -> bool:
        """Whether a phone may create records of this table (domain/sync/rules.py)."""
        return self.name in rules.CREATABLE

    def columns_at(self, version: int) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.since <= version)


def _s(
    name: str,
    *,
    optional: bool = False,
    since: int = 1,
    max_length: int = 4000,
    choices: tuple[str, ...] = (),
) -> Column:
    return Column(name, "string", since, optional, max_length=max_length, choices=choices)


def _n(
    name: str,
    *,
    optional: bool = False,
    since: int = 1,
    integer: bool = False,
    low: float = -1e15,
    high: float = 1e15,
) -> Column:
    return Column(name, "number", since, optional, integer=integer, low=low, high=high)


def _t(name: str, *, optional: bool = False, since: int = 1) -> Column:
    return Column(name, "time", since, optional)


def _job(j: m.Job) -> dict[str, Any]:
    return {
        "ticket_id": j.ticket_id,
        "number": j.number,
        "status": j.status.value,
        "appointment_start": ms(j.appointment_start),
        "appointment_end": ms(j.appointment_end),
        "route_position": j.route_position,
        "eta": ms(j.eta),
        "planned_arrival": ms(j.planned_arrival),
        "status_reason": history_reason(j.status_reason, ZH),  # the phone reads Chinese
        "revision": j.revision,
        "updated_at_server": ms(j.updated_at),
    }


def _ticket(t: m.Ticket) -> dict[str, Any]:
    return {
        "number": t.number,
        "type": t.type.value,
        "priority": t.priority.value,
        "status": t.status.value,
        "description": t.description,
        "customer_id": t.customer_id,
        "address_id": t.address_id,
        "device_id": t.device_id,
        "due_at": ms(t.due_at),
    }


def _address(a: m.Address) -> dict[str, Any]:
    return {
        "customer_id": a.customer_id,
        "full_text": a.full_text,
        "province": a.province,
        "city": a.city,
        "district": a.district,
        "street": a.street,
        "community": a.community,
        "building": a.building,
        "room": a.room,
        "latitude": a.latitude,
        "longitude": a.longitude,
    }


def _device(d: m.Device) -> dict[str, Any]:
    return {
        "customer_id": d.customer_id,
        "address_id": d.address_id,
        "model_id": d.device_model_id,
        "serial_number": d.serial_number,
        "status": d.status.value,
    }


@dataclass(frozen=True)
class Consumption:
    """A consumption ledger entry, with whether an old part went back with it."""

    entry: m.StockEntry
    old_part_returned: bool


def _consumption(c: Consumption) -> dict[str, Any]:
    return {
        "job_id": c.entry.job_id,
        "part_id": c.entry.part_id,
        "quantity": -c.entry.delta,
        "old_part_returned": c.old_part_returned,
        "recorded_at": ms(c.entry.recorded_at or c.entry.created_at),
    }


def _water(w: m.WaterTest) -> dict[str, Any]:
    return {
        "job_id": w.job_id,
        "tds": w.tds_mg_l,
        "ph": w.ph,
        "residual_chlorine": w.residual_chlorine_mg_l,
        "turbidity": w.turbidity_ntu,
        "temperature": w.temperature_c,
        "passed": w.passed,
        "recorded_at": ms(w.tested_at),
    }


def _attachment(a: m.Attachment) -> dict[str, Any]:
    """The phone's view of a file it took: the server's status and, once verified, a
    thumbnail URL (short-lived: the phone fetches it on the pull, or asks Job.attachments),
    signed by the pull with the store its session is configured with (``thumbnail_url``)."""
    return {
        "job_id": a.job_id,
        "kind": a.kind.value,
        "content_type": a.content_type,
        "byte_size": a.byte_size,
        "sha256": a.sha256,
        "recorded_at": ms(a.taken_at or a.created_at),
        "status": a.status.value,
        "rejection_code": a.rejection_code or None,
        "thumbnail_url": None,
    }


def thumbnail_url(a: m.Attachment, media: MediaConfig, now: dt.datetime) -> str | None:
    """A verified file's thumbnail, signed for ``media.url_lifetime`` from ``now``."""
    if a.status is not AttachmentStatus.VERIFIED or media.store is None:
        return None
    return media.store.signed_url(media_keys.thumbnail(a), expires_at=now + media.url_lifetime)


FILTER_TYPE_COLUMNS = ("device_model_id", "stage", "name", "lifetime_days", "capacity_buckets")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "jobs",
            (
                _s("ticket_id"),
                _s("number"),
                _s("status"),
                _t("appointment_start", optional=True),
                _t("appointment_end", optional=True),
                _n("route_position", optional=True),
                _t("eta", optional=True),
                _t("planned_arrival", optional=True),
                _s("status_reason"),
                _n("revision"),
                _t("updated_at_server"),
            ),
            _job,
        ),
        Table(
            "tickets",
            (
                _s("number"),
                _s("type"),
                _s("priority"),
                _s("status"),
                _s("description"),
                _s("customer_id"),
                _s("address_id", optional=True),
                _s("device_id", optional=True),
                _t("due_at", optional=True, since=2),
                # HQ's custom fields set on the ticket, with their labels (pull.py fills it)
                _s("custom_fields", optional=True, since=4, max_length=200_000),
                # The custom fields the engineer fills on site, set or not (pull.py fills it)
                _s("on_site_fields", optional=True, since=6, max_length=200_000),
            ),
            _ticket,
        ),
        Table(
            "customers",
            (_s("name"), _s("phone")),
            lambda c: {"name": c.name, "phone": c.phone},
        ),
        Table(
            "addresses",
            (
                _s("customer_id"),
                _s("full_text"),
                _s("province"),
                _s("city"),
                _s("district"),
                _s("street"),
                _s("community"),
                _s("building"),
                _s("room"),
                _n("latitude", optional=True),
                _n("longitude", optional=True),
            ),
            _address,
        ),
        Table(
            "devices",
            (
                _s("customer_id"),
                _s("address_id", optional=True),
                _s("model_id"),
                _s("serial_number"),
                _s("status"),
            ),
            _device,
        ),
        Table(
            "device_models",
            (_s("code"), _s("name")),
            lambda d: {"code": d.code, "name": d.name},
        ),
        Table(
            "parts",
            (_s("sku"), _s("name"), _s("unit")),
            lambda p: {"sku": p.sku, "name": p.name, "unit": p.unit},
        ),
        Table(
            "van_stock",
            (_s("part_id"), _s("bin"), _n("quantity")),
            lambda b: {"part_id": b.part_id, "bin": b.bin.value, "quantity": b.quantity},
        ),
        Table(
            "part_consumptions",
            (
                _s("job_id", max_length=64),
                _s("part_id", max_length=64),
                _n("quantity", integer=True, low=1, high=bounds.MAX_QUANTITY),
                Column("old_part_returned", "boolean", optional=True),
                _t("recorded_at"),
            ),
            _consumption,
        ),
        Table(
            "water_tests",
            (
                _s("job_id", max_length=64),
                _n("tds", optional=True),
                _n("ph", optional=True),
                _n("residual_chlorine", optional=True),
                _n("turbidity", optional=True),
                _n("temperature", optional=True),
                Column("passed", "boolean", optional=True),  # set by the server
                _t("recorded_at"),
            ),
            _water,
        ),
        Table(
            "job_notes",
            (_s("job_id", max_length=64), _s("body"), _t("recorded_at")),
            lambda n: {"job_id": n.job_id, "body": n.body, "recorded_at": ms(n.recorded_at)},
        ),
        Table(
            "job_events",
            (
                _s("job_id", max_length=64),
                _s("action", choices=fieldwork.ACTIONS),
                _s("reason", optional=True),
                _s("report_json", optional=True, max_length=65536),
                _t("recorded_at"),
            ),
            lambda e: {
                "job_id": e.job_id,
                "action": e.action,
                "reason": e.reason or None,
                "report_json": dumps(e.report) if e.report else None,
                "recorded_at": ms(e.recorded_at),
            },
        ),
        Table(
            "attachments",
            (
                _s("job_id", max_length=64),
                _s("kind", choices=tuple(k.value for k in AttachmentKind)),
                _s("content_type", max_length=64),
                _n("byte_size", integer=True, low=1, high=2**31 - 1),
                _s("sha256", max_length=64),
                _t("recorded_at"),  # when the photo was taken
                # Set by the server (the phone's values are ignored):
                _s("status", optional=True, choices=tuple(s.value for s in AttachmentStatus)),
                _s("rejection_code", optional=True, max_length=40),
                _s("thumbnail_url", optional=True),
            ),
            _attachment,
            since=3,
        ),
        # The knowledge base for the models the engineer's devices are (read only; issue 18).
        Table(
            "articles",
            (
                *(_s(n, max_length=200) for n in ("title_zh", "title_en")),
                *(_s(n, max_length=20_000) for n in ("body_zh", "body_en")),
                *(_s(n) for n in ("model_ids_json", "fault_codes_json", "symptoms_json")),
                _s("versions", max_length=100),
                _n("revision", integer=True, low=0, high=2**31 - 1),
                _t("published_at", optional=True),
            ),
            lambda a: {
                **{n: getattr(a, n) for n in ("title_zh", "title_en", "body_zh", "body_en")},
                **{f"{n}_json": dumps(getattr(a, n)) for n in ("model_ids", "fault_codes")},
                "symptoms_json": dumps(a.symptoms),
                "versions": a.versions,
                "revision": a.revision,
                "published_at": ms(a.published_at),
            },
            since=5,
        ),
        # The filter stages of the models the phone holds: what a filter change's report
        # names (``report_json.filtersChanged``), offline (read only).
        Table(
            "filter_types",
            (
                _s("device_model_id", max_length=64),
                _n("stage", integer=True, low=1, high=2**31 - 1),
                _s("name", max_length=50),
                _n("lifetime_days", integer=True, low=1, high=2**31 - 1),
                _n("capacity_buckets", optional=True, integer=True, low=1, high=2**31 - 1),
            ),
            lambda f: {n: getattr(f, n) for n in FILTER_TYPE_COLUMNS},
            since=7,
        ),
    )
}


def dumps(value: Any) -> str:
    """Compact JSON with sorted keys: how a JSON value travels in a phone's string column."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def record(table: Table, record_id: str, row: Any, schema_version: int) -> dict[str, Any]:
    """The phone's record: its id and exactly the columns of its schema version."""
    values = table.read(row)
    out: dict[str, Any] = {"id": record_id}
    for column in table.columns_at(schema_version):
        out[column.name] = values.get(column.name)
    return out
