"""master data: a part's list price, the warehouse a spare account card sits in

Revision ID: 0012g
Revises: 0011
Create Date: 2026-12-03 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012g'
down_revision: str | None = '0012e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('parts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('list_price', sa.Numeric(12, 2), nullable=False, server_default='0')
        )

    with op.batch_alter_table('account_cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warehouse_id', sa.String(length=36), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_account_cards_warehouse_id'), ['warehouse_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_account_cards_warehouse_id_warehouses'),
            'warehouses',
            ['warehouse_id'],
            ['id'],
        )


def downgrade() -> None:
    with op.batch_alter_table('account_cards', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_account_cards_warehouse_id_warehouses'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_account_cards_warehouse_id'))
        batch_op.drop_column('warehouse_id')

    with op.batch_alter_table('parts', schema=None) as batch_op:
        batch_op.drop_column('list_price')
