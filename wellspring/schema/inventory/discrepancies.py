"""Stock discrepancies: the type, the branch's list and ResolveStockDiscrepancy."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.inventory import discrepancies
from wellspring.domain.models import enums as e

from ..core import enums
from ..core.connection import connection_args, connection_for
from ..core.context import require_actor
from ..core.errors import StockError, errors_field
from ..core.ids import parse_global_id
from ..core.mutation import Failed, run_in_savepoint
from ..core.node import ModelObjectType, Node
from ..core.prefetch import Relations, connection_nodes, prefetch, selection_tree
from ..core.scalars import DateTime
from ..org.types import Branch, Technician
from .types import Part, StockEntry, Warehouse


class StockDiscrepancy(ModelObjectType):
    """A consumption recorded offline that the van's book could not cover: the job keeps the
    whole quantity; `quantityShort` waits here for the branch to explain."""

    model = m.StockDiscrepancy

    class Meta:
        interfaces = (Node,)

    branch = graphene.Field(Branch)
    warehouse = graphene.Field(Warehouse, description="The van that was short.")
    part = graphene.Field(Part)
    quantity_short = graphene.Int(required=True)
    job = graphene.Field("wellspring.schema.tickets.types.Job")
    technician = graphene.Field(Technician)
    technician_name = graphene.String()
    recorded_at = graphene.Field(DateTime, description="When the phone recorded it (offline).")
    received_at = graphene.Field(DateTime, required=True, description="When the server took it.")
    status = graphene.Field(enums.DiscrepancyStatus, required=True)
    resolution = graphene.Field(enums.DiscrepancyResolution)
    reason = graphene.String(required=True)
    source_warehouse = graphene.Field(Warehouse, description="An unbooked transfer's source.")
    resolved_by_name = graphene.String()
    resolved_at = graphene.Field(DateTime)

    @staticmethod
    def resolve_branch(root: m.StockDiscrepancy, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Branch, root.branch_id)

    @staticmethod
    def resolve_warehouse(root: m.StockDiscrepancy, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Warehouse, root.warehouse_id)

    @staticmethod
    def resolve_part(root: m.StockDiscrepancy, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Part, root.part_id)

    @staticmethod
    def resolve_job(root: m.StockDiscrepancy, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Job, root.job_id)

    @staticmethod
    def resolve_technician(root: m.StockDiscrepancy, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Technician, root.technician_id)

    @staticmethod
    async def resolve_technician_name(root: m.StockDiscrepancy, info: ResolveInfo) -> Any:
        tech = await info.context.loaders.unscoped(m.Technician, root.technician_id)
        return await info.context.loaders.display_name(tech.user_id if tech else None)

    @staticmethod
    def resolve_source_warehouse(root: m.StockDiscrepancy, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Warehouse, root.source_warehouse_id)

    @staticmethod
    async def resolve_resolved_by_name(root: m.StockDiscrepancy, info: ResolveInfo) -> Any:
        return await info.context.loaders.display_name(root.resolved_by_id)


DISCREPANCY_RELATIONS: Relations = {
    "branch": (m.Branch, "branch_id", {}),
    "warehouse": (m.Warehouse, "warehouse_id", {}),
    "part": (m.Part, "part_id", {}),
    "job": (m.Job, "job_id", {}),
    "technician": (m.Technician, "technician_id", {}),
    "sourceWarehouse": (m.Warehouse, "source_warehouse_id", {}),
}


async def resolve_stock_discrepancies(
    _root: Any,
    info: ResolveInfo,
    branch_id: str | None = None,
    status: Any = None,
    first: int | None = None,
    after: str | None = None,
) -> Any:
    actor = require_actor(info)
    page = await discrepancies.discrepancies(
        info.context.session,
        actor,
        branch_id=parse_global_id(branch_id, "Branch", field="branchId") if branch_id else None,
        status=e.DiscrepancyStatus(status) if status else None,
        first=first,
        after=after,
    )
    nodes = connection_nodes(selection_tree(info))
    await prefetch(info.context.loaders, page.items, nodes, DISCREPANCY_RELATIONS)
    return page


def stock_discrepancies_field() -> graphene.Field:
    return graphene.Field(
        graphene.NonNull(connection_for(StockDiscrepancy)),
        branch_id=graphene.ID(),
        status=graphene.Argument(enums.DiscrepancyStatus),
        description="Offline consumptions a van's book could not cover, oldest first; "
        "a clerk sees their branch's, HQ all, an engineer their own.",
        resolver=resolve_stock_discrepancies,
        **connection_args(),
    )


class StockDiscrepancyResolveInput(graphene.InputObjectType):
    id = graphene.ID(required=True)
    resolution = graphene.Field(enums.DiscrepancyResolution, required=True)
    reason = graphene.String(description="Required for a write-off; kept for the others.")
    source_warehouse_id = graphene.ID(
        description="An unbooked transfer: the warehouse the parts came from."
    )


class ResolveStockDiscrepancyPayload(graphene.ObjectType):
    discrepancy = graphene.Field(StockDiscrepancy)
    entries = graphene.List(
        graphene.NonNull(StockEntry), description="The ledger entries the resolution posted."
    )
    errors = errors_field(StockError)


class ResolveStockDiscrepancy(graphene.Mutation):
    """Settle a discrepancy: an unbooked transfer into the van, a stocktake correction, or a
    write-off with a reason. Posts the matching ledger entries and closes it."""

    class Arguments:
        input = StockDiscrepancyResolveInput(required=True)

    Output = ResolveStockDiscrepancyPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)
        source = input.get("source_warehouse_id")

        async def run() -> Any:
            return await discrepancies.resolve(
                info.context.session,
                actor,
                discrepancy_id=parse_global_id(input.id, "StockDiscrepancy"),
                resolution=e.DiscrepancyResolution(input.resolution),
                reason=input.get("reason") or "",
                source_warehouse_id=(
                    parse_global_id(source, "Warehouse", field="sourceWarehouseId")
                    if source
                    else None
                ),
            )

        result = await run_in_savepoint(info.context, run)
        if isinstance(result, Failed):
            return ResolveStockDiscrepancyPayload(errors=result)
        return ResolveStockDiscrepancyPayload(
            discrepancy=result.discrepancy, entries=result.entries, errors=[]
        )
