"""outbox: live updates replay in commit order

Revision ID: 0015n
Revises: 0014k
Create Date: 2026-12-03 22:00:00.000000

A ``FANOUT`` row carries ``seq``, its place in commit order (the writing transaction's id on
PostgreSQL, a counter drawn at commit on SQLite; wellspring/notifications/outbox.py), and the
replay after a cursor reads ``(channel, seq, id)`` instead of ``(channel, created_at, id)``,
whose write order two overlapping transactions could commit against. Rows written before have
seq 0: older than every cursor this version hands out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015n"
down_revision: str | None = "0015c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger(), nullable=False, server_default="0"))
    op.drop_index("ix_outbox_messages_replay", table_name="outbox_messages")
    op.create_index("ix_outbox_messages_replay_seq", "outbox_messages", ["channel", "seq", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_replay_seq", table_name="outbox_messages")
    op.create_index(
        "ix_outbox_messages_replay", "outbox_messages", ["channel", "created_at", "id"]
    )
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("seq")
