"""outbox: an index for live updates' replay after a cursor

Revision ID: 0014s
Revises: 0014p
Create Date: 2026-12-03 19:30:00.000000

A reconnecting subscriber reads the ``FANOUT`` rows after its cursor in ``(created_at, id)``
order (wellspring/notifications/live.py): one keyset read of this index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0014s'
down_revision: str | None = "0014p"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_messages_replay", "outbox_messages", ["channel", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_replay", table_name="outbox_messages")
