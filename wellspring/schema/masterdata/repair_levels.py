"""Repair levels as data HQ edits (``domain/masterdata/repair_levels.py``)."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain.masterdata import repair_levels
from wellspring.domain.models import RepairLevelEntry as RepairLevelRow

from ..core.context import require_actor
from ..core.errors import MasterdataError, errors_field
from .common import payload


class RepairLevelEntry(graphene.ObjectType):
    """A repair level a report names (维修等级), with its names in both languages. Reports
    give its `code` as `repairLevelCode`."""

    code = graphene.String(required=True)
    name = graphene.String(required=True, description="In the request's language.")
    name_zh = graphene.String(required=True)
    name_en = graphene.String(required=True)
    is_active = graphene.Boolean(
        required=True, description="A retired level is kept for old reports but refused in new."
    )
    sort_order = graphene.Int(required=True, description="The list's order (then the code).")

    @staticmethod
    def resolve_name(root: RepairLevelRow, info: ResolveInfo) -> Any:
        return root.name_en if info.context.locale == "en" else root.name_zh


class UpsertRepairLevelInput(graphene.InputObjectType):
    code = graphene.String(
        required=True, description="The code (LEVEL_1 …): an existing one is edited, else added."
    )
    name_zh = graphene.String(description="Chinese name (required for a new level).")
    name_en = graphene.String(description="English name (required for a new level).")
    is_active = graphene.Boolean(description="false retires the level.")
    sort_order = graphene.Int(description="Where it stands in the list (0 to 10000).")


class UpsertRepairLevelPayload(graphene.ObjectType):
    repair_level = graphene.Field(RepairLevelEntry)
    errors = errors_field(MasterdataError)


class UpsertRepairLevel(graphene.Mutation):
    """Add, rename, reorder or retire a repair level (HQ)."""

    class Arguments:
        input = UpsertRepairLevelInput(required=True)

    Output = UpsertRepairLevelPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            change = repair_levels.RepairLevelChange(
                code=input.code,
                name_zh=input.get("name_zh"),
                name_en=input.get("name_en"),
                is_active=input.get("is_active"),
                sort_order=input.get("sort_order"),
            )
            return await repair_levels.upsert_repair_level(
                info.context.session, actor, change=change
            )

        return await payload(info, UpsertRepairLevelPayload, "repair_level", run)


def repair_levels_field() -> graphene.Field:
    return graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(RepairLevelEntry))),
        is_active=graphene.Boolean(
            description="Only active (true) or retired (false) levels; every one when omitted."
        ),
        description="Repair levels in HQ's order (HQ edits them with UpsertRepairLevel).",
        resolver=_resolve_repair_levels,
    )


async def _resolve_repair_levels(_root: Any, info: ResolveInfo, is_active: Any = None) -> Any:
    require_actor(info)
    return await repair_levels.repair_levels(info.context.session, is_active=is_active)
