"""account cards: an active card belongs to its machine's branch

Revision ID: 0015v
Revises: 0015u
Create Date: 2026-12-06 19:10:00.000000

An install bound a card taken from another branch's stock and left it that branch's: the
customer's branch could not see the card on its own customer's machine, the other branch
could, and the cards report counted it there. ``workflow/effects._install`` now moves the
card to the machine's branch; this does the same for the cards bound so before it. Nothing
to undo on downgrade: the state it leaves is the one the domain keeps.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015v"
down_revision: str | None = "0015u"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

cards = sa.table(
    "account_cards",
    sa.column("status", sa.String),
    sa.column("branch_id", sa.String),
    sa.column("device_id", sa.String),
)
devices = sa.table("devices", sa.column("id", sa.String), sa.column("branch_id", sa.String))


def upgrade() -> None:
    machine_branch = (
        sa.select(devices.c.branch_id).where(devices.c.id == cards.c.device_id).scalar_subquery()
    )
    op.get_bind().execute(
        cards.update()
        .where(
            cards.c.status == "ACTIVE",
            cards.c.device_id.is_not(None),
            cards.c.branch_id != machine_branch,
        )
        .values(branch_id=machine_branch)
    )


def downgrade() -> None:
    pass
