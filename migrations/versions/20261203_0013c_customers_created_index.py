"""customers by creation time for lists that span every branch (HQ, the hotline)

Revision ID: 0013c
Revises: 0012b
Create Date: 2026-12-03 16:15:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0013c'
down_revision: str | None = '0012b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_created', ['created_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_created')
