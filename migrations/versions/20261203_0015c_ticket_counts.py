"""live tickets counted per branch × status × type, filled from the tickets (issue 19 §3)

Revision ID: 0015c
Revises: 0014k
Create Date: 2026-12-03 22:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015c"
down_revision: str | None = "0015b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ticket_counts",
        sa.Column("branch_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("branch_id", "status", "type", name=op.f("pk_ticket_counts")),
    )
    op.execute(
        "INSERT INTO ticket_counts (branch_id, status, type, n)"
        " SELECT branch_id, status, type, count(*) FROM tickets WHERE deleted_at IS NULL"
        " GROUP BY branch_id, status, type"
    )


def downgrade() -> None:
    op.drop_table("ticket_counts")
