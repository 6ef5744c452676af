"""media: job attachments (photos, signatures, forms) and a completed job's evidence status

Revision ID: 0013m
Revises: 0013c
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013m"
down_revision: str | None = "0013c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("PHOTO", "SIGNATURE", "CONFIRMATION_FORM", "WATER_TEST_PHOTO", "PART_PHOTO", "FAULT_PHOTO")
STATUSES = ("PENDING_UPLOAD", "VERIFIED", "REJECTED", "EXPIRED")


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="attachmentkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="attachmentstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("uploaded_by_id", sa.String(length=36), nullable=False),
        sa.Column("upload_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("rejection_code", sa.String(length=40), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_attachments_job_id_jobs")),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_attachments_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attachments_status_expires", ["status", "upload_expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_attachments_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachments_version"), ["version"], unique=False)
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "evidence",
                sa.Enum("PENDING", "COMPLETE", name="evidencestatus", native_enum=False, length=32),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("evidence_complete_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("evidence_complete_at")
        batch_op.drop_column("evidence")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_version"))
        batch_op.drop_index(batch_op.f("ix_attachments_job_id"))
        batch_op.drop_index("ix_attachments_status_expires")
    op.drop_table("attachments")
