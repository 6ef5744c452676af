"""an index on tickets.linked_ticket_id (a visit's linkedFrom: the complaints pointing at it)

Revision ID: 0013x
Revises: 0013i
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0013x'
down_revision: str | None = '0013i'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_tickets_linked_ticket_id'), ['linked_ticket_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_linked_ticket_id'))
