"""The audit log, for administrators."""

from __future__ import annotations

import graphene

from wellspring.domain import models as m

from ..core.scalars import DateTime


class AuditEntry(graphene.ObjectType):
    """One operation that changed something."""

    id = graphene.ID(required=True)
    at = graphene.Field(DateTime, required=True)
    actor_name = graphene.String()
    action = graphene.String(required=True)
    entity_type = graphene.String(required=True)
    entity_id = graphene.String()
    detail = graphene.JSONString(required=True)
    request_id = graphene.String(required=True)

    @staticmethod
    async def resolve_actor_name(root: m.AuditEntry, info):
        return await info.context.loaders.display_name(root.actor_id)
