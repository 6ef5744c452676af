"""The audit log, for administrators."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m

from ..core.scalars import DateTime
from ..tickets.details import AuditDetailEntry, detail_entries


class AuditEntry(graphene.ObjectType):
    """One operation that changed something."""

    id = graphene.ID(required=True)
    at = graphene.Field(DateTime, required=True)
    actor_name = graphene.String()
    action = graphene.String(required=True)
    entity_type = graphene.String(required=True)
    entity_id = graphene.String()
    detail = graphene.JSONString(
        required=True,
        deprecation_reason="Use detailEntries, which is typed; removed in the next release.",
    )
    detail_entries = graphene.NonNull(
        graphene.List(graphene.NonNull(AuditDetailEntry)),
        description="What the operation recorded, one key per entry.",
    )
    request_id = graphene.String(required=True)

    @staticmethod
    def resolve_detail_entries(root: m.AuditEntry, _info: ResolveInfo) -> list[AuditDetailEntry]:
        return detail_entries(root.detail)

    @staticmethod
    async def resolve_actor_name(root: m.AuditEntry, info: ResolveInfo) -> Any:
        return await info.context.loaders.display_name(root.actor_id)
