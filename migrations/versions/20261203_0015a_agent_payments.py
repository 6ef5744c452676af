"""dealers (issue 18): agents' payments against their unpaid orders, and the agent a ticket
was opened through

Revision ID: 0015a
Revises: 0014k
Create Date: 2026-12-03 22:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015a"
down_revision: str | None = "0014k"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

METHODS = ("BANK_TRANSFER", "CASH", "CHEQUE", "ONLINE", "OTHER")


def upgrade() -> None:
    op.create_table(
        "agent_payments",
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "method",
            sa.Enum(*METHODS, name="agentpaymentmethod", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("client_reference", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.Column("allocations", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("recorded_by_id", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_agent_payments_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["agent_orders.id"], name=op.f("fk_agent_payments_order_id_agent_orders")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_agent_payments_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_payments")),
        sa.UniqueConstraint("agent_id", "client_reference", name="uq_agent_payments_reference"),
    )
    with op.batch_alter_table("agent_payments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agent_payments_agent_paid", ["agent_id", "paid_at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agent_payments_version"), ["version"], unique=False
        )
    op.create_index(
        "ix_stock_entries_warehouse_created",
        "stock_entries",
        ["warehouse_id", "created_at", "id"],
        unique=False,
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agent_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_agent_id_agents"), "agents", ["agent_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tickets_agent_id_agents"), type_="foreignkey")
        batch_op.drop_column("agent_id")
    op.drop_index("ix_stock_entries_warehouse_created", table_name="stock_entries")
    with op.batch_alter_table("agent_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_payments_version"))
        batch_op.drop_index("ix_agent_payments_agent_paid")
    op.drop_table("agent_payments")
