"""the time of the work: occurred and received times of history rows and phone moves

Revision ID: 0012a
Revises: 0011
Create Date: 2026-12-03 13:10:00

``at`` of a history row stays the time the step happened; ``received_at`` (when the server
learned it) starts equal to it for the rows already written. A finished ticket's
``completed_at`` is taken from its history.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012a'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HISTORIES = ('ticket_status_changes', 'job_status_changes')


def upgrade() -> None:
    for table in HISTORIES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('received_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(
                sa.Column('time_flag', sa.String(length=32), nullable=False, server_default='')
            )
        op.execute(sa.text(f'UPDATE {table} SET received_at = at'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                'received_at', existing_type=sa.DateTime(timezone=True), nullable=False
            )

    with op.batch_alter_table('job_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('received_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('time_flag', sa.String(length=32), nullable=False, server_default='')
        )
    op.execute(sa.text('UPDATE job_events SET occurred_at = recorded_at, received_at = created_at'))
    with op.batch_alter_table('job_events', schema=None) as batch_op:
        for column in ('occurred_at', 'received_at'):
            batch_op.alter_column(
                column, existing_type=sa.DateTime(timezone=True), nullable=False
            )

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        sa.text(
            "UPDATE tickets SET completed_at = (SELECT max(h.at) FROM ticket_status_changes h"
            " WHERE h.ticket_id = tickets.id AND h.to_status = 'COMPLETED')"
            " WHERE status IN ('COMPLETED', 'FOLLOW_UP_DUE', 'CLOSED')"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('completed_at')
    with op.batch_alter_table('job_events', schema=None) as batch_op:
        batch_op.drop_column('time_flag')
        batch_op.drop_column('received_at')
        batch_op.drop_column('occurred_at')
    for table in reversed(HISTORIES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('time_flag')
            batch_op.drop_column('reported_at')
            batch_op.drop_column('received_at')
