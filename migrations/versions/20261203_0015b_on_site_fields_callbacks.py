"""custom fields filled on site (issue 18 §4): a definition's on_site flag; a missed call's
call-back due time, the hotline agent it is assigned to and the PBX's recording link (issue 18
§3)

Revision ID: 0015b
Revises: 0014k
Create Date: 2026-12-03 22:30:00.000000

Uses the revision id reserved for the outlet manager's login, which was not built (the
domain gives outlets no staff of their own besides their engineers: docs/roadmap.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015b"
down_revision: str | None = "0015a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("custom_fields", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("on_site", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("missed_calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("recording_url", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("assigned_to_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_missed_calls_assigned_to_id_users"), "users", ["assigned_to_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("missed_calls", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_missed_calls_assigned_to_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("assigned_to_id")
        batch_op.drop_column("recording_url")
        batch_op.drop_column("due_at")
    with op.batch_alter_table("custom_fields", schema=None) as batch_op:
        batch_op.drop_column("on_site")
