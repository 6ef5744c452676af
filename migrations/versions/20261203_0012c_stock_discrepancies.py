"""stock discrepancies: offline consumptions the van's book stock could not cover

Revision ID: 0012c
Revises: 0011
Create Date: 2026-12-03 13:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012c'
down_revision: str | None = '0012a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stock_discrepancies',
    sa.Column('branch_id', sa.String(length=36), nullable=True),
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('part_id', sa.String(length=36), nullable=False),
    sa.Column('quantity_short', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('technician_id', sa.String(length=36), nullable=True),
    sa.Column('client_id', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('OPEN', 'RESOLVED', name='discrepancystatus', native_enum=False, length=32), nullable=False),
    sa.Column('resolution', sa.Enum('UNBOOKED_TRANSFER', 'STOCKTAKE_CORRECTION', 'WRITE_OFF', name='discrepancyresolution', native_enum=False, length=32), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('source_warehouse_id', sa.String(length=36), nullable=True),
    sa.Column('resolved_by_id', sa.String(length=36), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('quantity_short > 0', name=op.f('ck_stock_discrepancies_quantity_short_positive')),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_stock_discrepancies_branch_id_branches')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_stock_discrepancies_job_id_jobs')),
    sa.ForeignKeyConstraint(['part_id'], ['parts.id'], name=op.f('fk_stock_discrepancies_part_id_parts')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_stock_discrepancies_resolved_by_id_users')),
    sa.ForeignKeyConstraint(['source_warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_discrepancies_source_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['technician_id'], ['technicians.id'], name=op.f('fk_stock_discrepancies_technician_id_technicians')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_discrepancies_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_discrepancies')),
    sa.UniqueConstraint('client_id', name=op.f('uq_stock_discrepancies_client_id'))
    )
    with op.batch_alter_table('stock_discrepancies', schema=None) as batch_op:
        batch_op.create_index('ix_stock_discrepancies_branch_status', ['branch_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_discrepancies_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_discrepancies_technician_id'), ['technician_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_discrepancies_version'), ['version'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_discrepancies_warehouse_id'), ['warehouse_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stock_discrepancies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_discrepancies_warehouse_id'))
        batch_op.drop_index(batch_op.f('ix_stock_discrepancies_version'))
        batch_op.drop_index(batch_op.f('ix_stock_discrepancies_technician_id'))
        batch_op.drop_index(batch_op.f('ix_stock_discrepancies_job_id'))
        batch_op.drop_index('ix_stock_discrepancies_branch_status')

    op.drop_table('stock_discrepancies')
