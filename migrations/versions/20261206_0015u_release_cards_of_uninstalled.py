"""account cards: release the cards still active on machines taken away

Revision ID: 0015u
Revises: 0015s
Create Date: 2026-12-06 17:00:00.000000

An uninstall (退机) left the customer's card ACTIVE on the machine it took away, so a
serial installed again carried two active cards, and the old customer's showed on the new
customer's machine. ``workflow/cards.release_with_device`` now returns such a card to
AWAITING_ACTIVATION at the uninstall; this does the same for the cards left so before it.
Nothing to undo on downgrade: the state it leaves is the one the domain keeps.
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015u"
down_revision: str | None = "0015s"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

cards = sa.table(
    "account_cards",
    sa.column("id", sa.String),
    sa.column("status", sa.String),
    sa.column("customer_id", sa.String),
    sa.column("device_id", sa.String),
    sa.column("cancelled_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
devices = sa.table("devices", sa.column("id", sa.String), sa.column("status", sa.String))


def upgrade() -> None:
    bind = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    if bind.dialect.name == "sqlite":  # stored naive, in UTC, as the models store it
        now = now.replace(tzinfo=None)
    gone = sa.select(devices.c.id).where(devices.c.status != "INSTALLED")
    bind.execute(
        cards.update()
        .where(cards.c.status == "ACTIVE", cards.c.device_id.in_(gone))
        .values(
            status="AWAITING_ACTIVATION",
            customer_id=None,
            device_id=None,
            cancelled_at=now,
            updated_at=now,
        )
    )


def downgrade() -> None:
    pass
