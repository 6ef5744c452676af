"""Fault codes as data HQ edits (``domain/masterdata/fault_codes.py``)."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain.masterdata import fault_codes
from wellspring.domain.models import FaultCode as FaultCodeRow

from ..core.context import require_actor
from ..core.errors import MasterdataError, errors_field
from .common import payload


class FaultCode(graphene.ObjectType):
    """A fault code a repair report names (故障代码), with its names in both languages."""

    code = graphene.String(required=True)
    name = graphene.String(required=True, description="In the request's language.")
    name_zh = graphene.String(required=True)
    name_en = graphene.String(required=True)
    is_active = graphene.Boolean(
        required=True, description="A retired code is kept for old reports but refused in new."
    )

    @staticmethod
    def resolve_name(root: FaultCodeRow, info: ResolveInfo) -> Any:
        return root.name_en if info.context.locale == "en" else root.name_zh


class UpsertFaultCodeInput(graphene.InputObjectType):
    code = graphene.String(
        required=True, description="The code (E01 …): an existing one is edited, else added."
    )
    name_zh = graphene.String(description="Chinese name (required for a new code).")
    name_en = graphene.String(description="English name (required for a new code).")
    is_active = graphene.Boolean(description="false retires the code.")


class UpsertFaultCodePayload(graphene.ObjectType):
    fault_code = graphene.Field(FaultCode)
    errors = errors_field(MasterdataError)


class UpsertFaultCode(graphene.Mutation):
    """Add, rename or retire a fault code (HQ)."""

    class Arguments:
        input = UpsertFaultCodeInput(required=True)

    Output = UpsertFaultCodePayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            change = fault_codes.FaultCodeChange(
                code=input.code,
                name_zh=input.get("name_zh"),
                name_en=input.get("name_en"),
                is_active=input.get("is_active"),
            )
            return await fault_codes.upsert_fault_code(info.context.session, actor, change=change)

        return await payload(info, UpsertFaultCodePayload, "fault_code", run)


def fault_codes_field() -> graphene.Field:
    return graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(FaultCode))),
        is_active=graphene.Boolean(
            description="Only active (true) or retired (false) codes; every one when omitted."
        ),
        description="Repair fault codes (HQ edits them with UpsertFaultCode).",
        resolver=_resolve_fault_codes,
    )


async def _resolve_fault_codes(_root: Any, info: ResolveInfo, is_active: Any = None) -> Any:
    require_actor(info)
    return await fault_codes.fault_codes(info.context.session, is_active=is_active)
