"""sealed originals: a verified file is served from a key no upload form can write

Revision ID: 0015y
Revises: 0015x
Create Date: 2026-12-08 10:00:00.000000

A presigned upload form stays valid until it expires, so the upload key could be rewritten
after ConfirmUpload verified it. Confirmation now writes the verified bytes to
``jobs/<job>/<id>.original`` and records it here; rows verified before keep "" and are served
from the upload key, as before. A downgrade forgets the sealed keys: the originals of rows
sealed meanwhile are then looked for at their upload key, which the cleanup deletes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015y"
down_revision: str | None = "0015x"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("original_key", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_column("original_key")
