"""idempotency keys expire: an index for the periodic purge of keys past their lifetime

Revision ID: 0015z
Revises: 0015y
Create Date: 2026-12-08 01:00:00.000000

A key answers a retry for ``idempotency_key_days`` (30 by default) from its first call; the
worker's periodic step then deletes it (``domain/idempotency.py``): a range read of this index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015z"
down_revision: str | None = "0015y"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
