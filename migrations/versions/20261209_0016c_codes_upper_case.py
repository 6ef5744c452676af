"""codes: case-insensitive identifiers, stored trimmed and upper-case

Revision ID: 0016c
Revises: 0016b
Create Date: 2026-12-08 12:00:00.000000

A code was compared as typed, so "ag-sh-01" could be created beside "AG-SH-01", and the
import (which looks codes up upper-cased) then put one dealer's customers under the other.
Codes are now upper-cased on every write and comparison (``models.base.CodeString``); this
upper-cases the codes stored before, and the device model codes parts list as compatible.

Two rows whose codes differ only in case (or surrounding spaces) cannot both keep theirs.
The upgrade then changes nothing and stops, listing them: which of the two keeps the code is
the very question the lookalike made ambiguous (which dealer an import file, a printed label
or a dealer's own records mean), and a suffix picked here would silently re-point those
references. Rename one of each pair (UpsertAgent etc., on the version running) and upgrade
again. Nothing to undo on downgrade: the original case is not kept, and upper-case codes are
valid codes for the older version too.
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016c"
down_revision: str | None = "0016b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables and their code column; each holds its codes unique across the whole table.
CODES = (
    ("branches", "code"),
    ("agents", "code"),
    ("service_outlets", "code"),
    ("warehouses", "code"),
    ("parts", "sku"),
    ("device_models", "code"),
    ("customers", "code"),
    ("fault_codes", "code"),
    ("repair_levels", "code"),
)


def _table(name: str, column: str) -> sa.TableClause:
    return sa.table(
        name,
        sa.column("id", sa.String),
        sa.column(column, sa.String),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )


def collisions(bind: sa.Connection) -> list[str]:
    """One line per group of rows whose codes are equal but for case: ``table: code (id),
    ...`` (deleted rows too: they keep their codes, and the unique constraints count them)."""
    found = []
    for name, column in CODES:
        table = _table(name, column)
        key = sa.func.upper(sa.func.trim(table.c[column]))
        clashing = sa.select(key).group_by(key).having(sa.func.count() > 1)
        rows = bind.execute(
            sa.select(table.c[column], table.c.id)
            .where(key.in_(clashing))
            .order_by(key, table.c[column])
        ).all()
        groups: dict[str, list[str]] = {}
        for code, id_ in rows:
            groups.setdefault(code.strip().upper(), []).append(f"{code!r} ({id_})")
        found += [f"{name}.{column}: {', '.join(group)}" for group in groups.values()]
    return found


def upgrade() -> None:
    bind = op.get_bind()
    clashes = collisions(bind)
    if clashes:
        raise RuntimeError(
            "Codes that differ only in case cannot all be upper-cased; rename one of each"
            " group (on the version running), then upgrade again:\n  " + "\n  ".join(clashes)
        )
    now = dt.datetime.now(dt.UTC)
    if bind.dialect.name == "sqlite":  # stored naive, in UTC, as the models store it
        now = now.replace(tzinfo=None)
    for name, column in CODES:
        table = _table(name, column)
        key = sa.func.upper(sa.func.trim(table.c[column]))
        bind.execute(
            table.update().where(table.c[column] != key).values({column: key, "updated_at": now})
        )
    parts = sa.table(
        "parts",
        sa.column("id", sa.String),
        sa.column("compatible_models", sa.JSON),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    for id_, models in bind.execute(sa.select(parts.c.id, parts.c.compatible_models)).all():
        fixed = [code.strip().upper() for code in models or []]
        if fixed != (models or []):
            bind.execute(
                parts.update()
                .where(parts.c.id == id_)
                .values(compatible_models=fixed, updated_at=now)
            )


def downgrade() -> None:
    pass
