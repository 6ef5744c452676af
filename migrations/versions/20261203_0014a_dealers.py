"""dealers: agents' contract, deposit and territory; agent engineers; purchase orders; territory conflicts; price standards

Revision ID: 0014a
Revises: 0014t
Create Date: 2026-12-03 18:37:02.703624
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014a'
down_revision: str | None = "0014t"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('price_standards',
    sa.Column('kind', sa.Enum('RECHARGE_BUCKET', 'RECHARGE_MONTH', 'RECHARGE_YEAR', 'SERVICE_RELOCATE', 'SERVICE_UNINSTALL', 'SERVICE_REPAIR', 'DEALER_MACHINE', 'DEALER_PART', 'DEALER_CARD', name='pricekind', native_enum=False, length=32), nullable=False),
    sa.Column('item_id', sa.String(length=36), nullable=False),
    sa.Column('province', sa.String(length=50), nullable=False),
    sa.Column('city', sa.String(length=50), nullable=False),
    sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_standards'))
    )
    with op.batch_alter_table('price_standards', schema=None) as batch_op:
        batch_op.create_index('ix_price_standards_key', ['kind', 'item_id', 'province', 'city', 'effective_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_standards_version'), ['version'], unique=False)

    op.create_table('agent_orders',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('agent_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.Enum('SUBMITTED', 'CONFIRMED', 'SHIPPED', 'CANCELLED', name='agentorderstatus', native_enum=False, length=32), nullable=False),
    sa.Column('total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('paid_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('needs_approval', sa.Boolean(), nullable=False),
    sa.Column('credit_exposure', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('placed_by_id', sa.String(length=36), nullable=True),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by_id', sa.String(length=36), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.String(length=36), nullable=True),
    sa.Column('shipped_by_id', sa.String(length=36), nullable=True),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('from_warehouse_id', sa.String(length=36), nullable=True),
    sa.Column('to_warehouse_id', sa.String(length=36), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_orders_agent_id_agents')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_agent_orders_approved_by_id_users')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_agent_orders_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['from_warehouse_id'], ['warehouses.id'], name=op.f('fk_agent_orders_from_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'], name=op.f('fk_agent_orders_placed_by_id_users')),
    sa.ForeignKeyConstraint(['shipped_by_id'], ['users.id'], name=op.f('fk_agent_orders_shipped_by_id_users')),
    sa.ForeignKeyConstraint(['to_warehouse_id'], ['warehouses.id'], name=op.f('fk_agent_orders_to_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_agent_orders_number'))
    )
    with op.batch_alter_table('agent_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_orders_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_orders_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_orders_version'), ['version'], unique=False)

    op.create_table('territory_conflicts',
    sa.Column('agent_id', sa.String(length=36), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.Enum('DIRECT_CUSTOMER', 'OTHER_AGENT_CUSTOMER', 'OUT_OF_TERRITORY', name='conflictkind', native_enum=False, length=32), nullable=False),
    sa.Column('operation', sa.String(length=48), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=True),
    sa.Column('owner_branch_id', sa.String(length=36), nullable=True),
    sa.Column('owner_agent_id', sa.String(length=36), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_territory_conflicts_actor_id_users')),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_territory_conflicts_agent_id_agents')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_territory_conflicts_customer_id_customers')),
    sa.ForeignKeyConstraint(['owner_agent_id'], ['agents.id'], name=op.f('fk_territory_conflicts_owner_agent_id_agents')),
    sa.ForeignKeyConstraint(['owner_branch_id'], ['branches.id'], name=op.f('fk_territory_conflicts_owner_branch_id_branches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_territory_conflicts'))
    )
    with op.batch_alter_table('territory_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_territory_conflicts_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_territory_conflicts_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_territory_conflicts_version'), ['version'], unique=False)

    op.create_table('agent_order_lines',
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item', sa.Enum('MACHINE', 'CARD', 'PART', name='agentorderitem', native_enum=False, length=32), nullable=False),
    sa.Column('device_model_id', sa.String(length=36), nullable=True),
    sa.Column('part_id', sa.String(length=36), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('price_standard_id', sa.String(length=36), nullable=True),
    sa.Column('shipped', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['device_model_id'], ['device_models.id'], name=op.f('fk_agent_order_lines_device_model_id_device_models')),
    sa.ForeignKeyConstraint(['order_id'], ['agent_orders.id'], name=op.f('fk_agent_order_lines_order_id_agent_orders')),
    sa.ForeignKeyConstraint(['part_id'], ['parts.id'], name=op.f('fk_agent_order_lines_part_id_parts')),
    sa.ForeignKeyConstraint(['price_standard_id'], ['price_standards.id'], name=op.f('fk_agent_order_lines_price_standard_id_price_standards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_order_lines'))
    )
    with op.batch_alter_table('agent_order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_order_lines_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_order_lines_version'), ['version'], unique=False)

    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('territory_areas', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('deposit', sa.Numeric(precision=12, scale=2), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('contract_number', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('contract_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('contract_end', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('address', sa.String(length=200), nullable=False, server_default=''))

    with op.batch_alter_table('technicians', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agent_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_technicians_agent_id'), ['agent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_technicians_agent_id_agents'), 'agents', ['agent_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('technicians', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_technicians_agent_id_agents'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_technicians_agent_id'))
        batch_op.drop_column('agent_id')

    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('contact_email')
        batch_op.drop_column('contract_end')
        batch_op.drop_column('contract_start')
        batch_op.drop_column('contract_number')
        batch_op.drop_column('deposit')
        batch_op.drop_column('territory_areas')

    with op.batch_alter_table('agent_order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_order_lines_version'))
        batch_op.drop_index(batch_op.f('ix_agent_order_lines_order_id'))

    op.drop_table('agent_order_lines')
    with op.batch_alter_table('territory_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_territory_conflicts_version'))
        batch_op.drop_index(batch_op.f('ix_territory_conflicts_at'))
        batch_op.drop_index(batch_op.f('ix_territory_conflicts_agent_id'))

    op.drop_table('territory_conflicts')
    with op.batch_alter_table('agent_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_orders_version'))
        batch_op.drop_index(batch_op.f('ix_agent_orders_status'))
        batch_op.drop_index(batch_op.f('ix_agent_orders_agent_id'))

    op.drop_table('agent_orders')
    with op.batch_alter_table('price_standards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_standards_version'))
        batch_op.drop_index('ix_price_standards_key')

    op.drop_table('price_standards')
