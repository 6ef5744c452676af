"""Root query fields. Each resolver is a few lines around a domain call."""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import audit, auth, bounds, customers, queries, tickets
from wellspring.domain import models as m
from wellspring.domain.workflow import queries as workflow_queries

from .agents.fields import DealerLists
from .agents.payments import DealerPaymentLists
from .core.connection import connection_args, connection_for
from .core.context import RequestContext, require_actor
from .core.ids import parse_global_id
from .core.node import Node
from .core.prefetch import connection_nodes, prefetch, selection_tree
from .core.read_columns import page_reads
from .core.scalars import Date
from .customers.types import CUSTOMER_RELATIONS, Customer
from .devices.types import DEVICE_RELATIONS, Device, DeviceModel
from .dispatch.fields import suggest_technicians_field
from .hotline.fields import HotlineQueries
from .imports.fields import import_field, resolve_import
from .inventory.discrepancies import stock_discrepancies_field
from .inventory.ledger import StockLedgerQueries
from .inventory.stock_queries import StockQueries
from .masterdata.bin_locations import bin_locations_field
from .masterdata.custom_fields import CustomFieldFilter, definitions_field, filter_pair
from .masterdata.fault_codes import fault_codes_field
from .masterdata.lists import DispatcherLists
from .masterdata.repair_levels import repair_levels_field
from .media.mutations import evidence_overdue_jobs_field
from .notifications.preferences import NotificationPreferenceQueries
from .notifications.types import my_notifications_field
from .org.types import AuthSession, Branch, User
from .outlets.fields import OutletQueries
from .reports.fields import ReportQueries
from .system.types import AuditEntry
from .tickets.filters import TicketFilter, ticket_filter
from .tickets.follow_ups import FollowUp
from .tickets.job_pages import job_tree, read_with_jobs
from .tickets.types import JOB_RELATIONS, TICKET_RELATIONS, Job, Ticket
from .tracking.fields import TrackingQueries


async def _one(
    info: ResolveInfo, model: type, type_name: str, id_: str, include_deleted: bool = False
) -> Any:
    actor = require_actor(info)
    ctx: RequestContext = info.context
    return await queries.get_visible(
        ctx.session,
        actor,
        model,
        parse_global_id(id_, type_name),
        include_deleted=include_deleted,
    )


def _is_active() -> graphene.Boolean:
    return graphene.Boolean(
        description="Only active (true) or deactivated (false) ones; every one when omitted."
    )


def _include_deleted() -> graphene.Boolean:
    return graphene.Boolean(
        default_value=False,
        description="Admins' audit read: return the row even if it was soft-deleted.",
    )


class Query(
    DispatcherLists,
    TrackingQueries,
    DealerLists,
    OutletQueries,
    HotlineQueries,
    ReportQueries,
    DealerPaymentLists,
    StockLedgerQueries,
    StockQueries,
    NotificationPreferenceQueries,  # notify (issue 16)
    graphene.ObjectType,
):
    node = Node.Field()
    me = graphene.Field(User, description="The signed-in user.")
    customers = graphene.Field(
        graphene.NonNull(connection_for(Customer)),
        search=graphene.String(description="Name, phone, customer code, card or serial number."),
        custom_field=graphene.Argument(
            CustomFieldFilter, description="Only customers with this custom field value."
        ),
        **connection_args(),
    )
    customer = graphene.Field(
        Customer, id=graphene.ID(required=True), include_deleted=_include_deleted()
    )
    device = graphene.Field(
        Device, id=graphene.ID(required=True), include_deleted=_include_deleted()
    )
    device_models = graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(DeviceModel))), is_active=_is_active()
    )
    tickets = graphene.Field(
        graphene.NonNull(connection_for(Ticket)), filter=TicketFilter(), **connection_args()
    )
    ticket = graphene.Field(
        Ticket, id=graphene.ID(required=True), include_deleted=_include_deleted()
    )
    branches = graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(Branch))), is_active=_is_active()
    )
    devices_supply_expiring = graphene.Field(
        graphene.NonNull(connection_for(Device)),
        within_days=graphene.Int(default_value=30),
        include_expired=graphene.Boolean(default_value=True),
        description="Monthly-plan devices whose supply ends within N days, soonest first.",
        **connection_args(),
    )
    devices_filters_due = graphene.Field(
        graphene.NonNull(connection_for(Device)),
        within_days=graphene.Int(default_value=14),
        description="Installed devices with a filter due for change within N days.",
        **connection_args(),
    )
    stock_discrepancies = stock_discrepancies_field()
    evidence_overdue_jobs = evidence_overdue_jobs_field()
    my_notifications = my_notifications_field()
    fault_codes = fault_codes_field()
    repair_levels = repair_levels_field()
    bin_locations = bin_locations_field()
    custom_field_definitions = definitions_field()
    follow_ups_due = graphene.Field(
        graphene.NonNull(connection_for(FollowUp)),
        description="Completed work waiting for the follow-up call, longest waiting first.",
        include_answered=graphene.Boolean(
            default_value=False, description="Also those the customer answered by rating."
        ),
        **connection_args(),
    )
    suggest_technicians = suggest_technicians_field()
    my_jobs = graphene.NonNull(
        graphene.List(graphene.NonNull(Job)),
        date=Date(description="Jobs appointed that day (Asia/Shanghai); else all open."),
        description="Engineers: their jobs.",
    )
    online_sessions = graphene.Field(
        graphene.NonNull(connection_for(AuthSession)),
        active_within_minutes=graphene.Int(default_value=30),
        description="Admins: sessions seen recently and not revoked.",
        **connection_args(),
    )
    audit_log = graphene.Field(
        graphene.NonNull(connection_for(AuditEntry)),
        description="Admins: every operation that changed something, newest first.",
        **connection_args(),
    )
    import_ = import_field()

    @staticmethod
    def resolve_me(_root: Any, info: ResolveInfo) -> Any:
        actor = require_actor(info)
        return info.context.loaders.load(m.User, actor.user_id)

    @staticmethod
    async def resolve_customers(
        _root: Any,
        info: ResolveInfo,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
        custom_field: Any = None,
    ) -> Any:
        actor = require_actor(info)
        relations, columns, count = page_reads(info, "Customer", CUSTOMER_RELATIONS)
        page = await customers.search_customers(
            info.context.session,
            actor,
            search=search,
            first=first,
            after=after,
            custom_field=filter_pair(custom_field),
            relations=relations,
            columns=columns,
            count_with_page=count,
        )
        # The page read every selected relation in its own statement: nothing left to fetch.
        info.context.loaders.know(page.related)
        return page

    @staticmethod
    async def resolve_customer(
        _root: Any, info: ResolveInfo, id: str, include_deleted: bool = False
    ) -> Any:
        return await _one(info, m.Customer, "Customer", id, include_deleted)

    @staticmethod
    async def resolve_device(
        _root: Any, info: ResolveInfo, id: str, include_deleted: bool = False
    ) -> Any:
        return await _one(info, m.Device, "Device", id, include_deleted)

    @staticmethod
    async def resolve_device_models(
        _root: Any, info: ResolveInfo, is_active: bool | None = None
    ) -> Any:
        require_actor(info)
        return await queries.device_models(info.context.session, is_active=is_active)

    @staticmethod
    async def resolve_tickets(
        _root: Any,
        info: ResolveInfo,
        filter: Any = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        relations, columns, count = page_reads(info, "Ticket", TICKET_RELATIONS)
        page = await tickets.list_tickets(
            info.context.session,
            actor,
            filter=ticket_filter(filter),
            first=first,
            after=after,
            relations=relations,
            columns=columns,
            count_with_page=count,
        )
        # The page read every selected relation in its own statement: nothing left to fetch.
        info.context.loaders.know(page.related)
        return page

    @staticmethod
    async def resolve_ticket(
        _root: Any, info: ResolveInfo, id: str, include_deleted: bool = False
    ) -> Any:
        return await _one(info, m.Ticket, "Ticket", id, include_deleted)

    @staticmethod
    async def resolve_devices_supply_expiring(
        _root: Any,
        info: ResolveInfo,
        within_days: int = 30,
        include_expired: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        page = await workflow_queries.supply_expiring(
            info.context.session,
            actor,
            within_days=within_days,
            include_expired=include_expired,
            first=first,
            after=after,
        )
        nodes = connection_nodes(selection_tree(info))
        await prefetch(info.context.loaders, page.items, nodes, DEVICE_RELATIONS)
        return page

    @staticmethod
    async def resolve_devices_filters_due(
        _root: Any,
        info: ResolveInfo,
        within_days: int = 14,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        page = await workflow_queries.filters_due(
            info.context.session, actor, within_days=within_days, first=first, after=after
        )
        nodes = connection_nodes(selection_tree(info))
        await prefetch(info.context.loaders, page.items, nodes, DEVICE_RELATIONS)
        return page

    @staticmethod
    async def resolve_follow_ups_due(
        _root: Any, info: ResolveInfo, include_answered: bool = False, **page: Any
    ) -> Any:
        actor = require_actor(info)
        return await workflow_queries.follow_ups_due(
            info.context.session, actor, include_answered=include_answered, **page
        )

    @staticmethod
    async def resolve_my_jobs(_root: Any, info: ResolveInfo, date: Any = None) -> Any:
        actor = require_actor(info)
        relations, columns, _ = page_reads(
            info, "Job", JOB_RELATIONS, needs=job_tree, connection=False
        )
        jobs = await workflow_queries.my_jobs(
            info.context.session, actor, day=date, relations=relations, columns=columns
        )
        info.context.loaders.know(jobs.related)
        await read_with_jobs(
            info.context.loaders, jobs.items, selection_tree(info), joined_page=True
        )
        return jobs.items

    @staticmethod
    async def resolve_branches(_root: Any, info: ResolveInfo, is_active: bool | None = None) -> Any:
        actor = require_actor(info)
        return await queries.branches(info.context.session, actor, is_active=is_active)

    @staticmethod
    async def resolve_online_sessions(
        _root: Any,
        info: ResolveInfo,
        active_within_minutes: int = 30,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        actor = require_actor(info)
        minutes = bounds.check_int(
            active_within_minutes, "activeWithinMinutes", 1, bounds.MAX_WINDOW_MINUTES
        )
        within = dt.timedelta(minutes=minutes)
        return await auth.online_sessions(
            info.context.session, actor, active_within=within, first=first, after=after
        )

    @staticmethod
    async def resolve_audit_log(
        _root: Any, info: ResolveInfo, first: int | None = None, after: str | None = None
    ) -> Any:
        actor = require_actor(info)
        return await audit.log_page(info.context.session, actor, first=first, after=after)

    resolve_import_ = staticmethod(resolve_import)
