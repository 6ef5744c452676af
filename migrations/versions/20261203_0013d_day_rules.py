"""day rules: fault codes as data HQ edits, seeded with the catalogue the code held

Revision ID: 0013d
Revises: 0013m
Create Date: 2026-12-03 16:17:58.744019
"""

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013d'
down_revision: str | None = '0013m'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The catalogue as it stood in domain/workflow/catalogue.py (copied: a migration never imports
# the application). Ids are derived from the code, so every database gets the same ones.
SEED = (
    ("E01", "漏水", "Leak"),
    ("E02", "不出水", "No water"),
    ("E03", "出水慢", "Slow flow"),
    ("E04", "水有异味", "Taste or odour"),
    ("E05", "不通电", "No power"),
    ("E06", "噪音大", "Noisy"),
    ("E07", "显示故障", "Display fault"),
    ("E08", "制热或制冷失效", "Heating or cooling fails"),
    ("E09", "刷卡无反应", "Card not read"),
    ("E99", "其他", "Other"),
)


def upgrade() -> None:
    table = op.create_table('fault_codes',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name_zh', sa.String(length=50), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fault_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_fault_codes_code'))
    )
    with op.batch_alter_table('fault_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fault_codes_version'), ['version'], unique=False)
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(table, [
        {
            'id': str(uuid.uuid5(uuid.NAMESPACE_URL, f'wellspring:fault-code:{code}')),
            'code': code, 'name_zh': zh, 'name_en': en, 'is_active': True,
            'created_at': now, 'updated_at': now, 'version': 0, 'deleted_at': None,
        }
        for code, zh, en in SEED
    ])


def downgrade() -> None:
    with op.batch_alter_table('fault_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fault_codes_version'))

    op.drop_table('fault_codes')
