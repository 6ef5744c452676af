"""job history: the engineer who held the job from each step on

Revision ID: 0015w
Revises: 0015v
Create Date: 2026-12-07 10:00:00.000000

A phone that recorded parts offline on a job the dispatcher reassigned meanwhile was refused
(NOT_FOUND) on every sync: the server could not tell that the engineer held the job when the
parts were fitted. Each job step now names the engineer holding the job from it on
(``workflow/moves.move_job``). Steps written before are filled where the answer is known: a
job never reassigned was held by its engineer from its first assignment on, a reassigned one
by its engineer from its latest reassignment on; earlier steps of a reassigned job stay
unknown (null).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015w"
down_revision: str | None = "0015v"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# ``states.system_reason("REASSIGNED")`` and ``("REASSIGNED_OVERRULED")``, as stored.
FILL = sa.text(
    "UPDATE job_status_changes SET technician_id = "
    "(SELECT jobs.technician_id FROM jobs WHERE jobs.id = job_status_changes.job_id) "
    "WHERE to_status <> 'PENDING' AND NOT EXISTS ("
    "SELECT 1 FROM job_status_changes AS later WHERE later.job_id = job_status_changes.job_id "
    "AND later.reason IN ('@REASSIGNED', '@REASSIGNED_OVERRULED') "
    "AND later.at > job_status_changes.at)"
)


def upgrade() -> None:
    with op.batch_alter_table("job_status_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("technician_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_job_status_changes_technician_id_technicians"),
            "technicians",
            ["technician_id"],
            ["id"],
        )
    op.get_bind().execute(FILL)


def downgrade() -> None:
    with op.batch_alter_table("job_status_changes", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_job_status_changes_technician_id_technicians"), type_="foreignkey"
        )
        batch_op.drop_column("technician_id")
