"""water tests: failed readings named by the domain (residual_chlorine), not the API

Revision ID: 0013w
Revises: 0013e
Create Date: 2026-12-03 17:55:00.000000

``water_tests.failures`` and a filter-change ticket's ``details.failures`` held the API's
``residualChlorine``; the domain now writes ``residual_chlorine`` and the schema maps it.
Existing rows are rewritten both ways, so nothing reads two spellings.
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0013w'
down_revision: str | None = '0013e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

API, DOMAIN = "residualChlorine", "residual_chlorine"

tests = sa.table("water_tests", sa.column("id", sa.String), sa.column("failures", sa.JSON))
tickets = sa.table("tickets", sa.column("id", sa.String), sa.column("details", sa.JSON))


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _names(values: Any, old: str, new: str) -> Any:
    if not isinstance(values, list):
        return values
    return [new if v == old else v for v in values]


def _rewrite(old: str, new: str) -> None:
    bind = op.get_bind()
    # Only rows whose JSON text names the reading are read back (a LIKE on the text).
    needle = f"%{old}%"
    found = bind.execute(
        sa.select(tests.c.id, tests.c.failures).where(sa.cast(tests.c.failures, sa.Text).like(needle))
    ).all()
    for id_, failures in found:
        renamed = _names(_loaded(failures), old, new)
        bind.execute(tests.update().where(tests.c.id == id_).values(failures=renamed))
    found = bind.execute(
        sa.select(tickets.c.id, tickets.c.details).where(
            sa.cast(tickets.c.details, sa.Text).like(needle)
        )
    ).all()
    for id_, details in found:
        details = _loaded(details)
        if isinstance(details, dict) and "failures" in details:
            details = {**details, "failures": _names(details["failures"], old, new)}
            bind.execute(tickets.update().where(tickets.c.id == id_).values(details=details))


def upgrade() -> None:
    _rewrite(API, DOMAIN)


def downgrade() -> None:
    _rewrite(DOMAIN, API)
