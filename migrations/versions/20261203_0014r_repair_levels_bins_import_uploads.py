"""master data: repair levels and bin locations as tables, import uploads, import heartbeats,
custom fields (definitions, and a JSON column of values on customers, devices and tickets)

Revision ID: 0014r
Revises: 0014s
Create Date: 2026-12-03 19:00:00.000000
"""

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014r'
down_revision: str | None = "0014s"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The closed list domain/workflow/catalogue.py held (copied: a migration never imports the
# application). Ids are derived from the code, so every database gets the same ones.
SEED = (
    ("LEVEL_1", "一级：现场调整", "Level 1: adjusted on site", 1),
    ("LEVEL_2", "二级：更换配件", "Level 2: parts replaced", 2),
    ("LEVEL_3", "三级：整机返修", "Level 3: machine returned for repair", 3),
)
_STATUSES = ("PENDING_UPLOAD", "VERIFIED", "REJECTED", "EXPIRED")
_ENTITIES = ("CUSTOMER", "DEVICE", "TICKET")
_TYPES = ("TEXT", "NUMBER", "DATE", "BOOLEAN", "CHOICE")
_WITH_VALUES = ("customers", "devices", "tickets")


def _record_columns() -> list[sa.Column[object]]:
    return [
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    levels = op.create_table('repair_levels',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name_zh', sa.String(length=50), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    *_record_columns(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repair_levels')),
    sa.UniqueConstraint('code', name=op.f('uq_repair_levels_code'))
    )
    with op.batch_alter_table('repair_levels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repair_levels_version'), ['version'], unique=False)
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(levels, [
        {
            'id': str(uuid.uuid5(uuid.NAMESPACE_URL, f'wellspring:repair-level:{code}')),
            'code': code, 'name_zh': zh, 'name_en': en, 'is_active': True, 'sort_order': order,
            'created_at': now, 'updated_at': now, 'version': 0, 'deleted_at': None,
        }
        for code, zh, en, order in SEED
    ])

    op.create_table('bin_locations',
    sa.Column('warehouse_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    *_record_columns(),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_bin_locations_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bin_locations')),
    sa.UniqueConstraint('warehouse_id', 'code', name=op.f('uq_bin_locations_warehouse_id'))
    )
    with op.batch_alter_table('bin_locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bin_locations_version'), ['version'], unique=False)
    # Every location already written on a balance becomes a bin of its warehouse, so the
    # stock as it stands stays valid under the new check.
    op.execute(sa.text(
        "INSERT INTO bin_locations (id, warehouse_id, code, name, is_active, created_at,"
        " updated_at, version, deleted_at)"
        " SELECT MIN(id), warehouse_id, UPPER(location), '', :yes, :now, :now, 0, NULL"
        " FROM stock_balances WHERE location <> '' GROUP BY warehouse_id, UPPER(location)"
    ).bindparams(yes=True, now=now))

    op.create_table('import_uploads',
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum(*_STATUSES, name='attachmentstatus', native_enum=False, length=32), nullable=False),
    sa.Column('uploaded_by_id', sa.String(length=36), nullable=True),
    sa.Column('upload_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rejection_code', sa.String(length=40), nullable=False),
    *_record_columns(),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_import_uploads_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_uploads'))
    )
    with op.batch_alter_table('import_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_uploads_version'), ['version'], unique=False)

    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('custom_fields',
    sa.Column('entity', sa.Enum(*_ENTITIES, name='customfieldentity', native_enum=False, length=32), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('type', sa.Enum(*_TYPES, name='customfieldtype', native_enum=False, length=32), nullable=False),
    sa.Column('label_zh', sa.String(length=50), nullable=False),
    sa.Column('label_en', sa.String(length=100), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    *_record_columns(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_fields')),
    sa.UniqueConstraint('entity', 'key', name=op.f('uq_custom_fields_entity'))
    )
    with op.batch_alter_table('custom_fields', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custom_fields_version'), ['version'], unique=False)
    for table in _WITH_VALUES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('custom_fields', sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in _WITH_VALUES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('custom_fields')
    with op.batch_alter_table('custom_fields', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custom_fields_version'))
    op.drop_table('custom_fields')
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
    for table in ('import_uploads', 'bin_locations', 'repair_levels'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_version'))
        op.drop_table(table)
