"""tracking links (issue 17), and who gave a follow-up's score

Revision ID: 0014t
Revises: 0014r
Create Date: 2026-12-03 19:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014t'
down_revision: str | None = "0014r"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'tracking_links',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('ticket_id', sa.String(length=36), nullable=False),
        sa.Column('created_by_id', sa.String(length=36), nullable=True),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_by_id', sa.String(length=36), nullable=True),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_tracking_links_created_by_id_users')),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_tracking_links_revoked_by_id_users')),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_tracking_links_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_tracking_links_token_hash')),
    )
    with op.batch_alter_table('tracking_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracking_links_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tracking_links_version'), ['version'], unique=False)
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'source',
                sa.Enum('HOTLINE', 'CUSTOMER', name='followupsource', native_enum=False, length=32),
                nullable=False,
                server_default='HOTLINE',
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_column('source')
    with op.batch_alter_table('tracking_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracking_links_version'))
        batch_op.drop_index(batch_op.f('ix_tracking_links_ticket_id'))
    op.drop_table('tracking_links')
