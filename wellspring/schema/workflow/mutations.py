"""Workflow mutations: each parses its ids and calls one service in a savepoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.errors import DomainError
from wellspring.domain.workflow import dispatching, engineer_moves, follow_ups, moves, opening

from ..core.context import RequestContext, require_actor
from ..core.idempotent import once
from ..core.ids import parse_global_id
from ..core.mutation import (
    OLD_SHAPE,
    Failed,
    one_shape,
    renamed_id,
    required,
    run_in_savepoint,
)
from ..core.scalars import DateTime
from .inputs import FollowUpInput, JobCompleteInput, TicketOpenInput, open_request, report_values
from .payloads import (
    DispatchTicketPayload,
    JobPayload,
    OpenTicketPayload,
    RecordFollowUpPayload,
    TicketPayload,
)


def _ctx(info: ResolveInfo) -> tuple[RequestContext, Actor]:
    return info.context, require_actor(info)


async def _ticket_payload(
    info: ResolveInfo,
    call: Callable[[], Awaitable[m.Ticket]],
    payload: type[TicketPayload] = TicketPayload,
) -> TicketPayload:
    result = await run_in_savepoint(info.context, call)
    if isinstance(result, Failed):
        return payload(errors=result)
    return payload(ticket=result, errors=[])


async def _job_payload(
    info: ResolveInfo,
    call: Callable[[], Awaitable[m.Job]],
    payload: type[JobPayload] = JobPayload,
) -> JobPayload:
    ctx: RequestContext = info.context
    result = await run_in_savepoint(ctx, call)
    if isinstance(result, Failed):
        return payload(errors=result)
    return payload(job=result, errors=[])


class OpenTicket(graphene.Mutation):
    """Open a ticket of any type for an existing or a new customer."""

    class Arguments:
        input = TicketOpenInput(required=True)

    Output = OpenTicketPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: TicketOpenInput) -> TicketPayload:
        ctx, actor = _ctx(info)
        duplicate: dict[str, str] = {}

        async def run() -> Any:
            request = open_request(input)

            async def open_it() -> m.Ticket:
                return await opening.open_ticket(ctx.session, actor, request=request)

            try:
                return await once(
                    info,
                    "openTicket",
                    key=input.get("idempotency_key"),
                    request=request,
                    permission="ticket.open",
                    model=m.Ticket,
                    create=open_it,
                )
            except DomainError as error:
                if error.code == "DUPLICATE_OPEN_TICKET":
                    duplicate["ticket"] = str(error.params["ticket_id"])
                if error.code == "CUSTOMER_EXISTS":
                    duplicate["customer"] = str(error.params["customer_id"])
                raise

        result = await run_in_savepoint(ctx, run)
        if not isinstance(result, Failed):
            return OpenTicketPayload(ticket=result, errors=[])
        ticket = customer = None
        if "ticket" in duplicate:
            ticket = await moves.visible_or_none(ctx.session, actor, m.Ticket, duplicate["ticket"])
        if "customer" in duplicate:
            customer = await moves.visible_or_none(
                ctx.session, actor, m.Customer, duplicate["customer"]
            )
        return OpenTicketPayload(errors=result, existing_ticket=ticket, existing_customer=customer)


RECORDED_AT = (
    "When the phone recorded the move (the server's time when omitted). Checked: a time too far "
    "ahead, before the job's previous step or older than the allowed window is clamped and "
    "flagged on the history entry."
)


_CAMEL = {"branch_id": "branchId", "technician_id": "technicianId"}


def _required(given: dict[str, Any] | None, key: str) -> Any:
    return required(given, key, _CAMEL.get(key, key))


def _by_id_mutation(
    name: str, call: Any, doc: str, *, of: str, reason: bool = False, recorded: bool = False
) -> Any:
    """A mutation on one Ticket or Job: ``input: <Name>Input`` (its id, a reason, the phone's
    time of an engineer's move) returning ``<Name>Payload``, which calls one service.

    The arguments it took before ``input`` stay one release, deprecated.
    """
    fields = {"id": graphene.ID(required=True, description=f"The {of}.")}
    old = {"id": graphene.ID(deprecation_reason=OLD_SHAPE)}
    if reason:
        fields["reason"] = graphene.String(required=True)
        old["reason"] = graphene.String(deprecation_reason=OLD_SHAPE)
    if recorded:
        fields["recorded_at"] = DateTime(description=RECORDED_AT)
        old["recorded_at"] = DateTime(description=RECORDED_AT, deprecation_reason=OLD_SHAPE)
    input_type = type(f"{name}Input", (graphene.InputObjectType,), dict(fields))
    keyword = "ticket_id" if of == "Ticket" else "job_id"
    respond = _ticket_payload if of == "Ticket" else _job_payload
    base = TicketPayload if of == "Ticket" else JobPayload

    async def mutate(
        _root: Any,
        info: ResolveInfo,
        input: Any = None,
        id: str | None = None,
        reason: Any = None,
        recorded_at: Any = None,
    ) -> Any:
        ctx, actor = _ctx(info)
        given = dict(input) if input is not None else {}

        async def run() -> Any:
            if input is not None and id is not None:
                raise DomainError("INVALID_ARGUMENT", field="id")
            global_id = given.get("id", id)
            if global_id is None:
                raise DomainError("INVALID_ARGUMENT", field="id")
            kwargs = {keyword: parse_global_id(global_id, of)}
            why = given.get("reason", reason)
            if why is not None:
                kwargs["reason"] = why
            elif "reason" in fields:
                kwargs["reason"] = ""
            when = given.get("recorded_at", recorded_at)
            if when is not None:
                kwargs["recorded_at"] = when
            return await call(ctx.session, actor, **kwargs)

        return await respond(info, run)

    return type(
        name,
        (graphene.Mutation,),
        {
            "__doc__": doc,
            "Arguments": type("Arguments", (), {"input": input_type(), **old}),
            "Output": type(f"{name}Payload", (base,), {"__doc__": f"What {name} changed."}),
            "mutate": staticmethod(mutate),
        },
    )


ApproveTicket = _by_id_mutation(
    "ApproveTicket", dispatching.approve_ticket, "Approve (审核).", of="Ticket"
)
RejectTicket = _by_id_mutation(
    "RejectTicket",
    dispatching.reject_ticket,
    "Reject at approval, with a reason.",
    of="Ticket",
    reason=True,
)
CancelTicket = _by_id_mutation(
    "CancelTicket",
    dispatching.cancel_ticket,
    "Cancel before completion, with a reason.",
    of="Ticket",
    reason=True,
)


class DispatchTicketInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="The Ticket.")
    branch_id = graphene.ID(required=True)


class DispatchTicket(graphene.Mutation):
    """Send an approved ticket to a branch (派单), opening its job."""

    class Arguments:
        input = DispatchTicketInput()
        id = graphene.ID(deprecation_reason=OLD_SHAPE)
        branch_id = graphene.ID(deprecation_reason=OLD_SHAPE)

    Output = DispatchTicketPayload

    @staticmethod
    async def mutate(
        _root: Any,
        info: ResolveInfo,
        input: Any = None,
        id: str | None = None,
        branch_id: str | None = None,
    ) -> Any:
        ctx, actor = _ctx(info)
        given = one_shape(input, id=id, branch_id=branch_id)

        async def run() -> Any:
            return await dispatching.dispatch_ticket(
                ctx.session,
                actor,
                ticket_id=parse_global_id(_required(given, "id"), "Ticket"),
                branch_id=parse_global_id(
                    _required(given, "branch_id"), "Branch", field="branchId"
                ),
            )

        result = await run_in_savepoint(ctx, run)
        if isinstance(result, Failed):
            return DispatchTicketPayload(errors=result)
        ticket, job = result
        return DispatchTicketPayload(ticket=ticket, job=job, errors=[])


class AssignJobInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="The Job.")
    technician_id = graphene.ID(required=True)
    appointment_start = DateTime()
    appointment_end = DateTime()
    allow_outside_shift = graphene.Boolean(
        description=(
            "Book the window even on the engineer's day off, outside their hours or over "
            "another booked window (HQ, admins, the branch's clerk; recorded in the history)."
        )
    )


class AssignJobPayload(JobPayload):
    """The job as assigned, and its ticket."""


class AssignJob(graphene.Mutation):
    """Give a job to an engineer with the agreed window; again to reassign or reschedule."""

    class Arguments:
        input = AssignJobInput()
        job_id = graphene.ID(deprecation_reason=OLD_SHAPE)
        technician_id = graphene.ID(deprecation_reason=OLD_SHAPE)
        appointment_start = DateTime(deprecation_reason=OLD_SHAPE)
        appointment_end = DateTime(deprecation_reason=OLD_SHAPE)

    Output = AssignJobPayload

    @staticmethod
    async def mutate(
        _root: Any,
        info: ResolveInfo,
        input: Any = None,
        job_id: str | None = None,
        technician_id: str | None = None,
        appointment_start: Any = None,
        appointment_end: Any = None,
    ) -> Any:
        ctx, actor = _ctx(info)
        given = one_shape(
            input,
            id=job_id,
            technician_id=technician_id,
            appointment_start=appointment_start,
            appointment_end=appointment_end,
        )

        async def run() -> Any:
            return await dispatching.assign_job(
                ctx.session,
                actor,
                job_id=parse_global_id(_required(given, "id"), "Job", field="id"),
                technician_id=parse_global_id(
                    _required(given, "technician_id"), "Technician", field="technicianId"
                ),
                appointment_start=(given or {}).get("appointment_start"),
                appointment_end=(given or {}).get("appointment_end"),
                allow_outside_shift=bool((given or {}).get("allow_outside_shift")),
            )

        return await _job_payload(info, run)


AcceptJob = _by_id_mutation(
    "AcceptJob", engineer_moves.accept_job, "The engineer accepts the job.", of="Job", recorded=True
)
StartTravel = _by_id_mutation(
    "StartTravel", engineer_moves.start_travel, "On the way.", of="Job", recorded=True
)
ArriveOnSite = _by_id_mutation(
    "ArriveOnSite", engineer_moves.arrive_on_site, "Arrived at the site.", of="Job", recorded=True
)
FailJob = _by_id_mutation(
    "FailJob",
    engineer_moves.fail_job,
    "Could not be done (customer absent, part missing ...); back to the dispatcher.",
    of="Job",
    reason=True,
    recorded=True,
)


class CompleteJobPayload(JobPayload):
    """The job as completed, and its ticket (its follow-up call now due)."""


class CompleteJob(graphene.Mutation):
    """File the visit's report; the follow-up call falls due."""

    class Arguments:
        input = JobCompleteInput(required=True)

    Output = CompleteJobPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: JobCompleteInput) -> JobPayload:
        ctx, actor = _ctx(info)

        async def run() -> m.Job:
            job_id = renamed_id(input, "job_id", "jobId")
            return await engineer_moves.complete_job(
                ctx.session,
                actor,
                job_id=parse_global_id(job_id, "Job", field="id"),
                report=report_values(input.get("report")),
                recorded_at=input.get("completed_at"),
            )

        return await _job_payload(info, run, CompleteJobPayload)


class RecordFollowUp(graphene.Mutation):
    """The call back: score 1–5, a dissatisfaction category, a comment; closes the ticket."""

    class Arguments:
        input = FollowUpInput(required=True)

    Output = RecordFollowUpPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: FollowUpInput) -> RecordFollowUpPayload:
        ctx, actor = _ctx(info)

        async def run() -> tuple[m.Ticket, m.FollowUp, m.Ticket | None]:
            ticket_id = renamed_id(input, "ticket_id", "ticketId")
            return await follow_ups.record_follow_up(
                ctx.session,
                actor,
                ticket_id=parse_global_id(ticket_id, "Ticket", field="id"),
                score=input.score,
                dissatisfaction=input.get("dissatisfaction"),
                comment=input.get("comment") or "",
            )

        result = await run_in_savepoint(ctx, run)
        if isinstance(result, Failed):
            return RecordFollowUpPayload(errors=result)
        ticket, follow_up, complaint = result
        return RecordFollowUpPayload(
            ticket=ticket, follow_up=follow_up, complaint=complaint, errors=[]
        )
