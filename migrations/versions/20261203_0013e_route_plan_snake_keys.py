"""route plans: the stored solver answer uses the domain's snake_case keys

Revision ID: 0013e
Revises: 0013n
Create Date: 2026-12-03 16:20:00.000000

``route_plans.routes`` and ``.unplaced`` held camelCase keys (``jobId``, ``arrivalAt``), the
API's spelling; the domain now writes ``job_id``, ``arrival_at`` and the schema maps them.
Existing rows are rewritten both ways, so nothing reads two spellings.
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0013e'
down_revision: str | None = '0013n'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = {
    "jobId": "job_id",
    "arrivalAt": "arrival_at",
    "serviceStartAt": "service_start_at",
    "departureAt": "departure_at",
    "travelSeconds": "travel_seconds",
    "distanceMeters": "distance_meters",
    "waitingSeconds": "waiting_seconds",
    "technicianId": "technician_id",
    "startLatitude": "start_latitude",
    "startLongitude": "start_longitude",
    "startSource": "start_source",
    "lunchAfterPosition": "lunch_after_position",
    "lunchStartAt": "lunch_start_at",
    "durationSeconds": "duration_seconds",
    "endAt": "end_at",
}

plans = sa.table(
    "route_plans",
    sa.column("id", sa.String),
    sa.column("routes", sa.JSON),
    sa.column("unplaced", sa.JSON),
)


def _renamed(value: Any, keys: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {keys.get(k, k): _renamed(v, keys) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, keys) for v in value]
    return value


def _rewrite(keys: dict[str, str]) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(plans.c.id, plans.c.routes, plans.c.unplaced)).all()
    for id_, routes, unplaced in rows:
        routes = json.loads(routes) if isinstance(routes, str) else routes
        unplaced = json.loads(unplaced) if isinstance(unplaced, str) else unplaced
        bind.execute(
            plans.update()
            .where(plans.c.id == id_)
            .values(routes=_renamed(routes or [], keys), unplaced=_renamed(unplaced or [], keys))
        )


def upgrade() -> None:
    _rewrite(KEYS)


def downgrade() -> None:
    _rewrite({snake: camel for camel, snake in KEYS.items()})
