"""jobs: a partial index of open jobs by engineer and appointment

Revision ID: 0015s
Revises: 0015n
Create Date: 2026-12-04 20:00:00.000000

SuggestTechnicians counts each nearby engineer's open jobs on the job's day (issue 19 §3).
Through ``ix_jobs_technician_status`` that count read every open job from the table to check
its appointment (about 50 an engineer in bench/dispatch's million jobs, 4.8 ms of the
database's CPU a request); this index holds open jobs only, with their appointment, so the
count reads the index alone. The condition is written exactly as the query states it
(``models.enums.OPEN_JOBS_SQL``, copied here as migrations do not import the models).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015s"
down_revision: str | None = "0015n"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('ACCEPTED', 'ASSIGNED', 'EN_ROUTE', 'ON_SITE', 'PENDING')"


def upgrade() -> None:
    op.create_index(
        "ix_jobs_open_by_technician",
        "jobs",
        ["technician_id", "appointment_start"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_open_by_technician", table_name="jobs")
