"""``Job.technicianName`` as the reader may read it: a customer reads what the tracking page
shows of their engineer (``tracking.view.engineer_name_for``: the given name unless the
company shows the full one), staff the full name."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.config import config_of
from wellspring.domain.tracking.view import engineer_name_for

from ..core.node import as_value
from ..core.related import LATER, Computed


def _as_read(context: Any, name: str | None) -> str | None:
    role = context.actor.role if context.actor is not None else None
    return engineer_name_for(role, name, config_of(context.session).tracking)


def _known(job: m.Job, context: Any) -> Any:
    name = context.loaders.technician_name_known(job.technician_id)
    return name if name is LATER else _as_read(context, name)


async def _looked_up(job: m.Job, info: ResolveInfo) -> str | None:
    name = await as_value(info.context.loaders.technician_name(job.technician_id))
    return _as_read(info.context, name)


# Answered at once from the names the page read (``job_pages``), else by a lookup.
resolve_technician_name = Computed(_known, later=_looked_up, columns=("technician_id",))
