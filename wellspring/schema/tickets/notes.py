"""The notes an engineer's phone wrote on a job (sync table ``job_notes``), read by the office."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m

from ..core.node import ModelObjectType, Node
from ..core.scalars import DateTime


class JobNote(ModelObjectType):
    """A note the engineer wrote on the visit (often offline); never edited."""

    model = m.JobNote

    class Meta:
        interfaces = (Node,)

    body = graphene.String(required=True)
    author_name = graphene.String(description="The engineer who wrote it.")
    recorded_at = graphene.Field(
        DateTime, required=True, description="When the phone recorded it (the phone's clock)."
    )
    created_at = graphene.Field(DateTime, required=True, description="When the server got it.")

    @staticmethod
    async def resolve_author_name(root: m.JobNote, info: ResolveInfo) -> Any:
        return await info.context.loaders.display_name(root.author_id)


class JobNotes:
    """Mixed into ``Job``: staff who see the job read its notes; customers never do."""

    notes = graphene.NonNull(
        graphene.List(graphene.NonNull(JobNote)),
        description="The engineer's notes on the visit, oldest first (read only: phones write "
        "them through the sync's `job_notes`). Staff only.",
    )

    @staticmethod
    async def resolve_notes(root: m.Job, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.JobNote, m.JobNote.job_id, (m.JobNote.recorded_at, m.JobNote.id)
        )
        return await loader.load(root.id)
