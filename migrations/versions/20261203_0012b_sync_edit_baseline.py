"""the version a phone's pushed edits are judged against

Revision ID: 0012b
Revises: 0011
Create Date: 2026-12-03 13:00:00

``sync_clients.pulled_from`` (the cursor the last pull started from) judged a push against
the latest pull, which a phone may have made after the edit; ``edit_baseline`` is the cursor
of the last pull that started with nothing waiting to be pushed (domain/sync/baseline.py).
Existing installations start from 0: their next clean pull moves it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012b'
down_revision: str | None = '0012g'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sync_clients', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('edit_baseline', sa.BigInteger(), nullable=False, server_default='0')
        )
        batch_op.add_column(
            sa.Column('conflict_cursor', sa.BigInteger(), nullable=False, server_default='0')
        )
        batch_op.drop_column('pulled_from')


def downgrade() -> None:
    with op.batch_alter_table('sync_clients', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('pulled_from', sa.BigInteger(), nullable=False, server_default='0')
        )
        batch_op.drop_column('conflict_cursor')
        batch_op.drop_column('edit_baseline')
