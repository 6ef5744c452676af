"""A warehouse's bin locations as HQ's master data (``domain/masterdata/bin_locations.py``)."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain.masterdata import bin_locations
from wellspring.domain.models import BinLocation as BinLocationRow

from ..core.connection import connection_args, connection_for
from ..core.context import require_actor
from ..core.errors import MasterdataError, errors_field
from ..core.ids import global_id, parse_global_id
from .common import payload


class BinLocation(graphene.ObjectType):
    """A shelf or bin of a warehouse (货位), e.g. A-03-2: a part's `location` names one."""

    id = graphene.ID(required=True)
    code = graphene.String(required=True, description="As on the label, upper-case.")
    name = graphene.String(required=True, description="A note on where it is, if any.")
    is_active = graphene.Boolean(
        required=True, description="A deactivated bin can no longer be given to a part."
    )
    warehouse = graphene.Field("wellspring.schema.inventory.types.Warehouse")

    @classmethod
    def is_type_of(cls, root: Any, _info: ResolveInfo) -> bool:
        return isinstance(root, BinLocationRow)

    @staticmethod
    def resolve_id(root: BinLocationRow, _info: ResolveInfo) -> str:
        return global_id("BinLocation", root.id)

    @staticmethod
    async def resolve_warehouse(root: BinLocationRow, info: ResolveInfo) -> Any:
        from wellspring.domain.models import Warehouse

        return await info.context.session.get(Warehouse, root.warehouse_id)


class UpsertBinLocationInput(graphene.InputObjectType):
    warehouse_id = graphene.ID(required=True)
    code = graphene.String(
        required=True, description="The bin's code: an existing one is edited, else added."
    )
    name = graphene.String(description="A note on where it is.")
    is_active = graphene.Boolean(description="false deactivates the bin.")


class UpsertBinLocationPayload(graphene.ObjectType):
    bin_location = graphene.Field(BinLocation)
    errors = errors_field(MasterdataError)


class UpsertBinLocation(graphene.Mutation):
    """Add, describe or deactivate a bin location of a warehouse (HQ)."""

    class Arguments:
        input = UpsertBinLocationInput(required=True)

    Output = UpsertBinLocationPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            change = bin_locations.BinLocationChange(
                warehouse_id=parse_global_id(input.warehouse_id, "Warehouse", field="warehouseId"),
                code=input.code,
                name=input.get("name"),
                is_active=input.get("is_active"),
            )
            return await bin_locations.upsert_bin_location(
                info.context.session, actor, change=change
            )

        return await payload(info, UpsertBinLocationPayload, "bin_location", run)


def bin_locations_field() -> graphene.Field:
    return graphene.Field(
        graphene.NonNull(connection_for(BinLocation)),
        warehouse_id=graphene.ID(required=True),
        is_active=graphene.Boolean(description="Only active (true) or deactivated (false) bins."),
        description="A warehouse's bin locations by code (HQ, admins, a branch's clerk for its "
        "own warehouses).",
        resolver=_resolve_bin_locations,
        **connection_args(),
    )


async def _resolve_bin_locations(
    _root: Any,
    info: ResolveInfo,
    warehouse_id: Any,
    is_active: Any = None,
    first: Any = None,
    after: Any = None,
) -> Any:
    actor = require_actor(info)
    return await bin_locations.bin_locations(
        info.context.session,
        actor,
        warehouse_id=parse_global_id(warehouse_id, "Warehouse", field="warehouseId"),
        is_active=is_active,
        first=first,
        after=after,
    )
