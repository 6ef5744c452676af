"""Tickets (工单), jobs (派工单), their status histories and follow-ups (回访)."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.config import config_of
from wellspring.domain.dispatch.board import JOB_OVERDUE_READS, TICKET_DUE_READS
from wellspring.domain.dispatch.board import is_overdue as job_is_overdue
from wellspring.domain.field_visibility import ticket_details_for
from wellspring.domain.media import reading
from wellspring.domain.models import enums as e
from wellspring.domain.models.enums import Role
from wellspring.domain.tickets import OVERDUE_READS, is_overdue

from ..core import enums
from ..core.connection import load_child_page, nested_connection
from ..core.errors import api_field
from ..core.node import ModelObjectType, Node, as_value
from ..core.prefetch import Relations
from ..core.related import LATER, Computed, Related, reads
from ..core.scalars import DateTime
from ..customers.types import Address, Customer
from ..devices.types import TICKET_ORDER, AccountCard, Device
from ..hotline.suggestions import for_job, for_ticket, suggested_articles_field
from ..masterdata.custom_fields import values_field
from ..media.types import Attachment, EvidenceStatus
from ..org.types import Branch, Technician
from . import engineer_names
from .charges import TicketDealerFields
from .details import JobReport, TicketTypeDetails
from .follow_ups import FollowUp
from .history import JobStatusChange, StatusReason, TicketStatusChange
from .notes import JobNotes

# What a page of tickets may reach (see core/prefetch.py).
TICKET_RELATIONS: Relations = {
    "customer": (m.Customer, "customer_id", {"branch": (m.Branch, "branch_id", {})}),
    "device": (m.Device, "device_id", {"model": (m.DeviceModel, "device_model_id", {})}),
    "branch": (m.Branch, "branch_id", {}),
    "card": (m.AccountCard, "card_id", {}),
    "address": (m.Address, "address_id", {}),
}


# What a ticket's details and a job's expected parts read of the ticket.
TICKET_DETAILS_READS = frozenset({"details"})

# What an engineer's list of jobs may reach.
JOB_RELATIONS: Relations = {
    "ticket": (
        m.Ticket,
        "ticket_id",
        {
            "customer": (m.Customer, "customer_id", {}),
            "device": (m.Device, "device_id", {"model": (m.DeviceModel, "device_model_id", {})}),
            "address": (m.Address, "address_id", {}),
        },
    ),
    "branch": (m.Branch, "branch_id", {}),
    "technician": (m.Technician, "technician_id", {}),
}


def _overdue_now(job: m.Job, context: Any) -> Any:
    """A job's ``overdue`` from the ticket this request read with it, else ``LATER``."""
    loaders = context.loaders
    ticket = loaders.peek(m.Ticket, job.ticket_id) or loaders.partial_row(
        m.Ticket, job.ticket_id, TICKET_DUE_READS
    )
    return LATER if ticket is None else job_is_overdue(job, ticket.due_at, context.now)


async def _overdue_looked_up(job: m.Job, context: Any) -> bool:
    """A job's ``overdue`` from its ticket read internally (the job's reader may not read
    the ticket)."""
    ticket = await context.loaders.unscoped(m.Ticket, job.ticket_id)
    return job_is_overdue(job, ticket.due_at if ticket else None, context.now)


class ExpectedPart(graphene.ObjectType):
    """A part the visit will need, and how many the engineer's van holds."""

    part = graphene.Field("wellspring.schema.inventory.types.Part")
    quantity = graphene.Int(required=True)
    in_van = graphene.Int(description="Good stock in the assigned engineer's van.")

    @staticmethod
    def resolve_part(root: Any, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Part, root["part_id"])

    @staticmethod
    def resolve_quantity(root: Any, _info: ResolveInfo) -> Any:
        return root["quantity"]

    @staticmethod
    def resolve_in_van(root: Any, _info: ResolveInfo) -> Any:
        return root.get("in_van")


class Job(JobNotes, StatusReason, ModelObjectType):
    """A field visit: engineer, appointment window (Asia/Shanghai), status trail."""

    model = m.Job

    class Meta:
        interfaces = (Node,)

    number = graphene.String(required=True)
    ticket = graphene.Field(lambda: Ticket)
    suggested_articles = suggested_articles_field()
    branch = graphene.Field(Branch)
    technician = graphene.Field(Technician)
    technician_name = graphene.String(
        description="The engineer's name: the full name for staff; for the customer what "
        "the tracking page shows (the given name, unless the company shows full names)."
    )
    status = graphene.Field(enums.JobStatus, required=True)
    appointment_start = graphene.Field(DateTime)
    appointment_end = graphene.Field(DateTime)
    accepted_at = graphene.Field(DateTime)
    started_travel_at = graphene.Field(DateTime)
    arrived_at = graphene.Field(DateTime)
    completed_at = graphene.Field(DateTime)
    status_reason = graphene.String(required=True)
    revision = graphene.Int(required=True)
    confirmation_number = graphene.String(description="Install: the signed form's number.")
    route_position = graphene.Int(description="Place in the engineer's day (applied route plan).")
    planned_arrival = graphene.Field(DateTime, description="Arrival in the applied route plan.")
    overdue = graphene.Boolean(
        required=True,
        description="Open and past its ticket's due time, or past the appointment window "
        "without the engineer on site (the `Jobs` filter's rule).",
    )
    eta = graphene.Field(
        DateTime, description="Current estimate of the engineer's arrival, kept up to date."
    )
    eta_updated_at = graphene.Field(DateTime)
    route_plan = graphene.Field("wellspring.schema.dispatch.types.RoutePlan")
    report = graphene.JSONString(
        required=True,
        description="The completion report as filed, as JSON.",
        deprecation_reason="Use completionReport, which is typed; removed in the next release.",
    )
    completion_report = graphene.Field(
        JobReport, description="The completion report as filed (null until completed)."
    )
    history = graphene.NonNull(graphene.List(graphene.NonNull(JobStatusChange)))
    expected_parts = graphene.NonNull(
        graphene.List(graphene.NonNull(ExpectedPart)),
        description="Parts the ticket says the visit needs, with the van's stock of each.",
    )
    parts_used = graphene.NonNull(
        graphene.List(graphene.NonNull("wellspring.schema.inventory.types.StockEntry")),
        description="Ledger entries of parts consumed on this job (and their reversals).",
    )
    stock_discrepancies = graphene.NonNull(
        graphene.List(
            graphene.NonNull("wellspring.schema.inventory.discrepancies.StockDiscrepancy")
        ),
        description="Parts used here that the van's book could not cover, for the branch.",
    )
    attachments = graphene.NonNull(
        graphene.List(graphene.NonNull(Attachment)),
        description="Photos, signature and form, oldest first; customers and agents see the "
        "verified ones, stripped of metadata. URLs are signed for the caller and expire.",
    )
    evidence = graphene.Field(
        EvidenceStatus,
        description="A completed job's required files: PENDING while one is uploading, "
        "COMPLETE once all are verified (the follow-up falls due then); null before completion.",
    )

    @staticmethod
    async def resolve_attachments(root: m.Job, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.Attachment, m.Attachment.job_id, (m.Attachment.created_at, m.Attachment.id)
        )
        rows = await loader.load(root.id)  # one statement for every job of the answer
        media = config_of(info.context.session).media
        return reading.views(info.context.actor, rows, cfg=media, now=info.context.now)

    @staticmethod
    @reads("ticket_id", "technician_id")
    async def resolve_expected_parts(root: m.Job, info: ResolveInfo) -> Any:
        """From the ticket read with the job (whole, or as columns that hold its details:
        ``job_pages.job_tree`` asks for them), else read by id."""
        loaders = info.context.loaders
        ticket = loaders.peek(m.Ticket, root.ticket_id) or loaders.partial_row(
            m.Ticket, root.ticket_id, TICKET_DETAILS_READS
        )
        if ticket is None:
            ticket = await as_value(loaders.load(m.Ticket, root.ticket_id))
        wanted = (ticket.details or {}).get("expected_parts", []) if ticket else []
        if not wanted:
            return []
        van = await info.context.loaders.van(root.technician_id)
        assigned = root.technician_id is not None
        return [{**w, "in_van": van.get(w["part_id"], 0) if assigned else None} for w in wanted]

    @staticmethod
    def resolve_completion_report(root: m.Job, _info: ResolveInfo) -> dict[str, Any] | None:
        return root.report or None

    @staticmethod
    async def resolve_parts_used(root: m.Job, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.StockEntry, m.StockEntry.job_id, (m.StockEntry.created_at, m.StockEntry.id)
        )
        return await loader.load(root.id)

    @staticmethod
    async def resolve_stock_discrepancies(root: m.Job, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.StockDiscrepancy,
            m.StockDiscrepancy.job_id,
            (m.StockDiscrepancy.created_at, m.StockDiscrepancy.id),
        )
        return await loader.load(root.id)

    @staticmethod
    def resolve_route_plan(root: m.Job, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.RoutePlan, root.route_plan_id)

    # Said as relations, a page of jobs may read them as the columns its selection reads.
    resolve_ticket = Related(m.Ticket, "ticket_id")

    resolve_suggested_articles = staticmethod(for_job)

    resolve_branch = Related(m.Branch, "branch_id")

    resolve_technician = Related(m.Technician, "technician_id")

    # Both answered at once from what the page read (the job's ticket, whole or as columns
    # that hold its due time, ``job_pages.job_tree``; the engineers' names, as the reader
    # may read them: ``engineer_names``), so that a job's row is answered in one go
    # (``fused_rows.py``); else on the ordinary path, by a lookup.
    resolve_overdue = Computed(
        lambda root, context: _overdue_now(root, context),
        later=lambda root, info: _overdue_looked_up(root, info.context),
        columns=JOB_OVERDUE_READS,
    )
    resolve_technician_name = engineer_names.resolve_technician_name

    @staticmethod
    async def resolve_history(root: m.Job, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.JobStatusChange,
            m.JobStatusChange.job_id,
            (m.JobStatusChange.at, m.JobStatusChange.id),
        )
        return await loader.load(root.id)


class Ticket(TicketDealerFields, StatusReason, ModelObjectType):
    """A customer request and everything done about it."""

    model = m.Ticket

    class Meta:
        interfaces = (Node,)

    number = graphene.String(required=True)
    custom_fields = values_field(e.CustomFieldEntity.TICKET)
    type = graphene.Field(enums.TicketType, required=True)
    status = graphene.Field(enums.TicketStatus, required=True)
    priority = graphene.Field(enums.Priority, required=True)
    channel = graphene.Field(enums.Channel, required=True)
    customer = graphene.Field(Customer)
    branch = graphene.Field(Branch)
    device = graphene.Field(Device)
    card = graphene.Field(AccountCard)
    address = graphene.Field(Address)
    suggested_articles = suggested_articles_field()
    description = graphene.String(required=True)
    created_by_name = graphene.String()
    handler_name = graphene.String()
    department = graphene.String(required=True, description="Where a desk ticket sits now.")
    details = graphene.JSONString(
        required=True,
        description="What was asked (install, recharge, move) and desk routing, as JSON.",
        deprecation_reason="Use typeDetails, which is typed; removed in the next release.",
    )
    type_details = graphene.Field(
        graphene.NonNull(TicketTypeDetails),
        description="What was asked (install, recharge, move, expected parts) and, for desk "
        "tickets, their routing and resolution.",
    )
    due_at = graphene.Field(DateTime)
    overdue = graphene.Boolean(
        required=True,
        description=(
            "Not finished by its due time: open work past due, or work completed after its due "
            "time (judged by completedAt, the time the work was done)."
        ),
    )
    completed_at = graphene.Field(
        DateTime, description="When the work was done (the engineer's recorded time)."
    )
    closed_at = graphene.Field(DateTime)
    status_reason = graphene.String(required=True)
    revision = graphene.Int(required=True)
    created_at = graphene.Field(DateTime, required=True)
    updated_at = graphene.Field(DateTime, required=True)
    deleted_at = graphene.Field(DateTime, description="When it was soft-deleted (audit reads).")
    jobs = graphene.NonNull(graphene.List(graphene.NonNull(Job)))
    history = graphene.NonNull(graphene.List(graphene.NonNull(TicketStatusChange)))
    follow_ups = graphene.NonNull(graphene.List(graphene.NonNull(FollowUp)))
    linked_ticket = graphene.Field(
        lambda: Ticket,
        description=(
            "The ticket this one was opened because of: the visit a low follow-up score "
            "complains about, the test that failed (null if none, or not visible)."
        ),
    )
    linked_from = nested_connection(
        "wellspring.schema.tickets.types.Ticket",
        "Tickets opened because of this one (a complaint after a low score, a repair after a "
        "failed water test), newest first.",
    )

    @staticmethod
    def resolve_linked_ticket(root: m.Ticket, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Ticket, root.linked_ticket_id)

    @staticmethod
    async def resolve_linked_from(
        root: m.Ticket, info: ResolveInfo, first: int | None = None, after: str | None = None
    ) -> Any:
        return await load_child_page(
            info, m.Ticket, m.Ticket.linked_ticket_id, root.id, TICKET_ORDER, first, after
        )

    @staticmethod
    @reads(*TICKET_DETAILS_READS)
    def resolve_details(root: m.Ticket, info: ResolveInfo) -> dict[str, Any]:
        actor = info.context.actor
        details = dict(root.details or {})
        if isinstance(details.get("failures"), list):  # a failed water test's readings
            details["failures"] = [api_field(str(n)) or n for n in details["failures"]]
        return ticket_details_for(actor.role if actor else Role.CUSTOMER, details)

    @staticmethod
    @reads(*TICKET_DETAILS_READS)
    def resolve_type_details(root: m.Ticket, info: ResolveInfo) -> dict[str, Any]:
        return Ticket.resolve_details(root, info)

    resolve_customer = Related(m.Customer, "customer_id")

    resolve_branch = Related(m.Branch, "branch_id")

    resolve_device = Related(m.Device, "device_id")

    resolve_suggested_articles = staticmethod(for_ticket)

    resolve_card = Related(m.AccountCard, "card_id")
    resolve_address = Related(m.Address, "address_id")

    @staticmethod
    async def resolve_created_by_name(root: m.Ticket, info: ResolveInfo) -> Any:
        return await info.context.loaders.display_name(root.created_by_id)

    @staticmethod
    async def resolve_handler_name(root: m.Ticket, info: ResolveInfo) -> Any:
        return await info.context.loaders.display_name(root.handler_id)

    resolve_overdue = Computed(
        lambda root, context: is_overdue(root, context.now),
        columns=OVERDUE_READS,
    )

    @staticmethod
    async def resolve_jobs(root: m.Ticket, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(m.Job, m.Job.ticket_id, (m.Job.created_at, m.Job.id))
        return await loader.load(root.id)

    @staticmethod
    async def resolve_history(root: m.Ticket, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.TicketStatusChange,
            m.TicketStatusChange.ticket_id,
            (m.TicketStatusChange.at, m.TicketStatusChange.id),
        )
        return await loader.load(root.id)

    @staticmethod
    async def resolve_follow_ups(root: m.Ticket, info: ResolveInfo) -> Any:
        loader = info.context.loaders.children(
            m.FollowUp, m.FollowUp.ticket_id, (m.FollowUp.due_at, m.FollowUp.id)
        )
        return await loader.load(root.id)
