"""reports and maintenance from usage (issue 18): indexes for the reports' periods, and a
filter stage's capacity in buckets

Revision ID: 0014k
Revises: 0014o
Create Date: 2026-12-03 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014k"
down_revision: str | None = "0014o"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("tickets", "ix_tickets_type_completed", ["type", "completed_at"]),
    ("jobs", "ix_jobs_completed", ["completed_at"]),
    ("follow_ups", "ix_follow_ups_recorded", ["recorded_at"]),
    ("devices", "ix_devices_supply_expires", ["supply_expires_on"]),
    ("account_cards", "ix_account_cards_activated", ["activated_at"]),
    ("account_cards", "ix_account_cards_cancelled", ["cancelled_at"]),
    ("stock_entries", "ix_stock_entries_kind_created", ["kind", "created_at"]),
)


def upgrade() -> None:
    with op.batch_alter_table("filter_types", schema=None) as batch_op:
        batch_op.add_column(sa.Column("capacity_buckets", sa.Integer(), nullable=True))
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("filter_types", schema=None) as batch_op:
        batch_op.drop_column("capacity_buckets")
