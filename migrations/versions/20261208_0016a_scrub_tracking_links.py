"""notifications: no stored text keeps a usable tracking link

Revision ID: 0016a
Revises: 0015z
Create Date: 2026-12-08 12:00:00.000000

A tracking link is a bearer secret: only its hash is stored (``tracking_links``), and a
customer's message now gets its link when it is sent, in a copy never written back. Inbox
items and deliveries written before that still hold the whole URL, which opens the visit
until the link expires (up to ``WELLSPRING_TRACKING_MAX_DAYS``). This rewrites them, keeping
the rows:

- an inbox item loses ``data.tracking_url``, so it reads as one written today (its reader is
  signed in and follows the visit by its ticket); a redacted URL would show a dead link;
- a delivery not yet sent (``PENDING``/``LEASED``) loses the link sentence its text ends
  with and ``params.tracking_url``, and gets the mark the worker adds a new link for when it
  sends (``notifications/tracking_links.py``);
- in every other text the token becomes ``[redacted]``, the words around it kept.

Nothing to undo on downgrade: a token cannot be given back.
"""

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0016a"
down_revision: str | None = "0015z"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copies of domain/tracking/links.py's TOKEN_IN_TEXT and REDACTED, of i18n/notifications.py's
# FOLLOW_WORDS (the only sentence a link came in before) and of tracking_links.MARK
# (migrations do not import the application; tests/test_migration_tracking_links.py compares).
TOKEN_IN_TEXT = re.compile(r"(?<=/t/)[A-Za-z0-9_-]{22,64}(?![A-Za-z0-9_-])")
REDACTED = "[redacted]"
FOLLOW_WORDS = ("查看进度：{url}", " Follow it: {url}")
MARK = "tracking_link"
UNSENT = ("PENDING", "LEASED")
BATCH = 500

inbox = sa.table("notifications", sa.column("id", sa.String), sa.column("data", sa.JSON))
deliveries = sa.table(
    "outbox_messages",
    sa.column("id", sa.String),
    sa.column("status", sa.String),
    sa.column("payload", sa.JSON),
)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return TOKEN_IN_TEXT.sub(REDACTED, value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _inbox_item(data: dict[str, Any]) -> dict[str, Any]:
    return dict(_scrub({k: v for k, v in data.items() if k != "tracking_url"}))


def _delivery(status: str, payload: dict[str, Any]) -> dict[str, Any]:
    params = dict(payload.get("params") or {})
    url = params.get("tracking_url")
    body = str(payload.get("body") or "")
    if status in UNSENT and isinstance(url, str) and url:
        for words in FOLLOW_WORDS:
            sentence = words.format(url=url)
            if body.endswith(sentence):  # the worker adds a new link when it sends
                params.pop("tracking_url")
                payload = {**payload, "body": body[: -len(sentence)], "params": params, MARK: True}
                break
    return dict(_scrub(payload))


def _rewrite(table: sa.TableClause, column: str, change: Any) -> None:
    """Rewrite, a batch at a time in id order, the rows whose JSON text names ``/t/``."""
    bind = op.get_bind()
    values = table.c[column]
    status = table.c.status if "status" in table.c else sa.literal("")
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values({column: sa.bindparam("new", type_=sa.JSON)})
    )
    last = ""
    while True:
        rows = bind.execute(
            sa.select(table.c.id, status, values)
            .where(table.c.id > last, sa.cast(values, sa.Text).like("%/t/%"))
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changed = []
        for row_id, state, value in rows:
            new = change(state, value) if isinstance(value, dict) else value
            if new != value:
                changed.append({"row_id": row_id, "new": new})
        if changed:
            bind.execute(update, changed)
        last = rows[-1][0]


def upgrade() -> None:
    _rewrite(inbox, "data", lambda _state, data: _inbox_item(data))
    _rewrite(deliveries, "payload", _delivery)


def downgrade() -> None:
    pass
