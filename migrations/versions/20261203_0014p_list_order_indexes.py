"""the lists' keyset order as indexes: jobs, technicians, stock discrepancies (issue 19 §3)

Revision ID: 0014p
Revises: 0013w
Create Date: 2026-12-03 19:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0014p'
down_revision: str | None = "0013w"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ('jobs', 'ix_jobs_created', ['created_at', 'id']),
    ('jobs', 'ix_jobs_branch_created', ['branch_id', 'created_at', 'id']),
    ('technicians', 'ix_technicians_created', ['created_at', 'id']),
    ('technicians', 'ix_technicians_branch_created', ['branch_id', 'created_at', 'id']),
    ('stock_discrepancies', 'ix_stock_discrepancies_created', ['created_at', 'id']),
    (
        'stock_discrepancies',
        'ix_stock_discrepancies_branch_created',
        ['branch_id', 'created_at', 'id'],
    ),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
