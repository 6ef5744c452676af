"""outbox: messages to one recipient go out in the order they were said

Revision ID: 0016b
Revises: 0016a
Create Date: 2026-12-09 01:30:00.000000

Each outbox row carries ``ordinal``, its event's place among the events its transaction said
(with ``seq``, the transaction's place in commit order, the order the domain said them); a
delivery inherits both from its event. The worker claims a recipient's delivery only when no
earlier one to that recipient is still on its way (notifications/outbox.py), through
``ix_outbox_messages_recipient_order``. Rows written before have ordinal 0 (and deliveries
seq 0): older than every row written after, unordered among themselves, as they were.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016b"
down_revision: str | None = "0016a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("ordinal", sa.BigInteger(), nullable=False, server_default="0"))
    op.create_index(
        "ix_outbox_messages_recipient_order",
        "outbox_messages",
        ["channel", "recipient", "seq", "ordinal"],
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_recipient_order", table_name="outbox_messages")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("ordinal")
