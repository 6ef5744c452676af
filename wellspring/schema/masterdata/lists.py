"""The dispatcher's lists: Technicians, Jobs, AccountCards, MachinesInStock.

Each is a relay connection (keyset cursors, `first` at most 100) around a domain call that
scopes the rows; relations are fetched for the whole page (``prefetch``) or through DataLoaders.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.dispatch import board
from wellspring.domain.inventory import spares
from wellspring.domain.models import enums as e

from ..core import enums
from ..core.connection import connection_args, connection_for
from ..core.context import require_actor
from ..core.ids import parse_global_id
from ..core.prefetch import Relations, connection_nodes, prefetch, selection_tree
from ..core.read_columns import page_columns, page_reads
from ..devices.types import DEVICE_RELATIONS, AccountCard, Device
from ..org.types import Technician
from ..tickets.job_pages import job_tree, read_with_jobs
from ..tickets.types import JOB_RELATIONS, Job

TECHNICIAN_RELATIONS: Relations = {
    "branch": (m.Branch, "branch_id", {}),
    "user": (m.User, "user_id", {}),
}
CARD_RELATIONS: Relations = {
    "branch": (m.Branch, "branch_id", {}),
    "warehouse": (m.Warehouse, "warehouse_id", {}),
    "customer": (m.Customer, "customer_id", {}),
    "device": (m.Device, "device_id", {}),
}


class JobFilter(graphene.InputObjectType):
    """All conditions must hold; days are Asia/Shanghai and inclusive."""

    date_from = graphene.Date(description="Appointed (or routed) on or after this day.")
    date_to = graphene.Date(description="Appointed (or routed) on or before this day.")
    technician_id = graphene.ID()
    branch_id = graphene.ID()
    status = graphene.List(graphene.NonNull(enums.JobStatus))
    unassigned = graphene.Boolean(
        description="Open and waiting for an engineer (true: cancelled or failed jobs that "
        "never had one are not), or with an engineer (false)."
    )
    overdue = graphene.Boolean(
        description="Open and past its ticket's due time, or past the appointment window "
        "without the engineer on site."
    )


class AccountCardFilter(graphene.InputObjectType):
    """All conditions must hold."""

    warehouse_id = graphene.ID(description="Cards sitting in this warehouse.")
    branch_id = graphene.ID()
    card_number = graphene.String(description="Exactly this card.")
    status = graphene.List(graphene.NonNull(enums.CardStatus))
    spare = graphene.Boolean(
        description="In stock or awaiting activation again (true), or bound (false)."
    )


def _id(value: Any, type_name: str, field: str) -> str | None:
    return parse_global_id(value, type_name, field=field) if value else None


class DispatcherLists(graphene.ObjectType):
    technicians = graphene.Field(
        graphene.NonNull(connection_for(Technician)),
        branch_id=graphene.ID(),
        search=graphene.String(description="Name, username or phone."),
        include_inactive=graphene.Boolean(
            default_value=False, description="Also deactivated engineers (see isActive)."
        ),
        description="Engineers (active ones unless told) with their status now, position and "
        "jobs today.",
        **connection_args(),
    )
    jobs = graphene.Field(
        graphene.NonNull(connection_for(Job)),
        filter=JobFilter(),
        order_by=graphene.Argument(enums.JobOrder, default_value=board.JobOrder.NEWEST.value),
        description="Jobs, newest first or by appointment.",
        **connection_args(),
    )
    account_cards = graphene.Field(
        graphene.NonNull(connection_for(AccountCard)),
        filter=AccountCardFilter(),
        description="Account cards by number: spare cards by warehouse, or one card.",
        **connection_args(),
    )
    machines_in_stock = graphene.Field(
        graphene.NonNull(connection_for(Device)),
        warehouse_id=graphene.ID(required=True),
        model_id=graphene.ID(),
        description="Machines in a warehouse (good or defective bin), by serial number.",
        **connection_args(),
    )

    @staticmethod
    async def resolve_technicians(
        _root: Any,
        info: ResolveInfo,
        branch_id: str | None = None,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
        include_inactive: bool = False,
    ) -> Any:
        actor = require_actor(info)
        page = await board.technicians_page(
            info.context.session,
            actor,
            branch_id=_id(branch_id, "Branch", "branchId"),
            search=search,
            first=first,
            after=after,
            include_inactive=bool(include_inactive),
        )
        nodes = connection_nodes(selection_tree(info))
        loaders = info.context.loaders
        await prefetch(loaders, page.items, nodes, TECHNICIAN_RELATIONS)
        # Names and days for the whole page at once: their fields then answer without a
        # future per engineer.
        if "displayName" in nodes:
            await loaders.know_user_names([t.user_id for t in page.items])
        if "statusToday" in nodes or "jobsToday" in nodes:
            # The jobs today as the columns their selection reads (all of them when a field
            # of theirs could read anything).
            jobs = page_columns(info.schema, "Job", {}, nodes.get("jobsToday") or {})[()]
            await loaders.know_technician_days(page.items, info.context.now, jobs)
        return page

    @staticmethod
    async def resolve_jobs(
        _root: Any,
        info: ResolveInfo,
        filter: Any = None,
        first: int | None = None,
        after: str | None = None,
        order_by: Any = None,
    ) -> Any:
        actor = require_actor(info)
        f = filter or {}
        relations, columns, count = page_reads(info, "Job", JOB_RELATIONS, needs=job_tree)
        page = await board.jobs_page(
            info.context.session,
            actor,
            filter=board.JobFilter(
                date_from=f.get("date_from"),
                date_to=f.get("date_to"),
                technician_id=_id(f.get("technician_id"), "Technician", "filter.technicianId"),
                branch_id=_id(f.get("branch_id"), "Branch", "filter.branchId"),
                statuses=[e.JobStatus(s) for s in f.get("status") or []],
                unassigned=f.get("unassigned"),
                overdue=f.get("overdue"),
            ),
            now=info.context.now,
            first=first,
            after=after,
            order_by=board.JobOrder(order_by or board.JobOrder.NEWEST),
            relations=relations,
            columns=columns,
            count_with_page=count,
        )
        info.context.loaders.know(page.related)
        nodes = connection_nodes(selection_tree(info))
        await read_with_jobs(info.context.loaders, page.items, nodes, joined_page=True)
        return page

    @staticmethod
    async def resolve_account_cards(
        _root: Any,
        info: ResolveInfo,
        filter: Any = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        f = filter or {}
        page = await spares.account_cards_page(
            info.context.session,
            actor,
            filter=spares.CardFilter(
                warehouse_id=_id(f.get("warehouse_id"), "Warehouse", "filter.warehouseId"),
                branch_id=_id(f.get("branch_id"), "Branch", "filter.branchId"),
                card_number=(f.get("card_number") or "")[:32] or None,
                statuses=[e.CardStatus(s) for s in f.get("status") or []],
                spare=f.get("spare"),
            ),
            first=first,
            after=after,
        )
        nodes = connection_nodes(selection_tree(info))
        await prefetch(info.context.loaders, page.items, nodes, CARD_RELATIONS)
        return page

    @staticmethod
    async def resolve_machines_in_stock(
        _root: Any,
        info: ResolveInfo,
        warehouse_id: str,
        model_id: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        page = await spares.machines_in_stock_page(
            info.context.session,
            actor,
            warehouse_id=parse_global_id(warehouse_id, "Warehouse", field="warehouseId"),
            model_id=_id(model_id, "DeviceModel", "modelId"),
            first=first,
            after=after,
        )
        nodes = connection_nodes(selection_tree(info))
        await prefetch(info.context.loaders, page.items, nodes, DEVICE_RELATIONS)
        return page
