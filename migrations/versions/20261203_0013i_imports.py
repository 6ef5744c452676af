"""imports: bulk import runs with per-batch progress, and their row errors

Revision ID: 0013i
Revises: 0013d
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013i"
down_revision: str | None = "0013d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ("CUSTOMERS", "DEVICES", "CARDS", "PARTS", "STOCK", "ENGINEERS")
_STATUSES = ("VALIDATING", "RUNNING", "DONE", "FAILED")


def _record_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column(
            "kind",
            sa.Enum(*_KINDS, name="importkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*_STATUSES, name="importstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("branch_id", sa.String(length=36), nullable=True),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("column_map", sa.JSON(), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("error_rows", sa.Integer(), nullable=False),
        sa.Column("unchanged_rows", sa.Integer(), nullable=False),
        sa.Column("applied_rows", sa.Integer(), nullable=False),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("batches_total", sa.Integer(), nullable=False),
        sa.Column("batches_done", sa.Integer(), nullable=False),
        sa.Column("failure", sa.String(length=500), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        *_record_columns(),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_imports_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_imports_branch_id_branches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.create_index("ix_imports_kind_file_hash", ["kind", "file_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_imports_version"), ["version"], unique=False)

    op.create_table(
        "import_errors",
        sa.Column("import_id", sa.String(length=36), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_import_errors_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_errors")),
    )
    with op.batch_alter_table("import_errors", schema=None) as batch_op:
        batch_op.create_index(
            "ix_import_errors_import_line", ["import_id", "line", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_import_errors_version"), ["version"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("import_errors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_errors_version"))
        batch_op.drop_index("ix_import_errors_import_line")
    op.drop_table("import_errors")
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imports_version"))
        batch_op.drop_index("ix_imports_kind_file_hash")
    op.drop_table("imports")
