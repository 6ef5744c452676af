"""The use cases that move tickets and jobs along the spine. None of them commits.

Each checks the actor's role and scope, checks the state machine, writes the change, a
history row and an audit entry, and raises ``DomainError`` (nothing written, the caller rolls
back to its savepoint) or ``PermissionDenied``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from .. import audit, numbering, policy
from ..actor import Actor
from ..customers import default_address
from ..dispatch import eta, locate
from ..errors import DomainError, PermissionDenied
from ..inventory import machines
from ..inventory import service as inventory
from ..models import (
    AccountCard,
    Address,
    Branch,
    Contact,
    Customer,
    Device,
    DeviceModel,
    FollowUp,
    Job,
    JobStatusChange,
    Part,
    Technician,
    Ticket,
    TicketStatusChange,
    utcnow,
)
from ..models.enums import (
    JOB_OPEN_STATUSES,
    BranchKind,
    CardStatus,
    Channel,
    DeviceStatus,
    Dissatisfaction,
    FollowUpStatus,
    JobStatus,
    OwnerKind,
    Role,
    TicketStatus,
    TicketType,
)
from . import clock_rules, config, effects, opening, states
from .clock_rules import Stamp
from .requests import OpenTicketRequest, check_phone, require

DEVICE_TYPES = frozenset(
    {
        TicketType.UNINSTALL,
        TicketType.RELOCATE,
        TicketType.RECHARGE,
        TicketType.REPAIR,
        TicketType.FILTER_CHANGE,
        TicketType.WATER_TEST,
    }
)
M = TypeVar("M")
FOLLOW_UP_DELAY = dt.timedelta(hours=24)
LOW_SCORE = 2
MAX_REASON = 500


# -- shared steps ---------------------------------------------------------------------------
async def _visible(session: AsyncSession, actor: Actor, model: type[M], id_: str) -> M:
    row = (
        await session.execute(select(model).where(policy.scope(model, actor)).filter_by(id=id_))
    ).scalar_one_or_none()
    if row is None or row.deleted_at is not None:  # type: ignore[attr-defined]
        raise DomainError("NOT_FOUND", field="id")
    return row


async def _flush(session: AsyncSession, row: Ticket | Job) -> None:
    """Write now, so that a concurrent change surfaces here as a clear error."""
    model, row_id = type(row), row.id
    try:
        await session.flush()
    except StaleDataError:
        # The failed flush spoiled this transaction: read the winner's state on the side.
        engine = session.bind
        if not isinstance(engine, AsyncEngine):
            raise
        async with engine.connect() as conn:
            current = await conn.scalar(select(model.status).where(model.id == row_id))
        raise DomainError("STALE_OBJECT", status=str(current)) from None


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if len(text) > MAX_REASON:
        raise DomainError("VALUE_TOO_LONG", field="reason", maximum=MAX_REASON)
    return text


def _times(stamp: Stamp) -> dict[str, Any]:
    """A history row's time columns."""
    return {
        "at": stamp.occurred_at,
        "received_at": stamp.received_at,
        "reported_at": stamp.reported_at,
        "time_flag": stamp.flag,
    }


def _move_ticket(
    session: AsyncSession,
    actor: Actor,
    ticket: Ticket,
    target: TicketStatus,
    *,
    reason: str = "",
    stamp: Stamp | None = None,
) -> None:
    stamp = stamp or clock_rules.server_stamp(utcnow())
    source = ticket.status if ticket.status is not None else None
    states.check_edge(states.TICKET_EDGES, source, target)
    ticket.status = target
    if reason:
        ticket.status_reason = reason
    session.add(
        TicketStatusChange(
            ticket_id=ticket.id,
            from_status=source,
            to_status=target,
            actor_id=actor.user_id or None,
            reason=reason,
            **_times(stamp),
        )
    )
    audit.record(
        session,
        actor,
        f"ticket.{target.value.lower()}",
        entity_type="Ticket",
        entity_id=ticket.id,
        from_status=source.value if source else None,
        reason=reason,
    )


def _move_job(
    session: AsyncSession,
    actor: Actor,
    job: Job,
    target: JobStatus,
    *,
    reason: str = "",
    stamp: Stamp | None = None,
) -> None:
    stamp = stamp or clock_rules.server_stamp(utcnow())
    source = job.status
    states.check_edge(states.JOB_EDGES, source, target)
    job.status = target
    if reason:
        job.status_reason = reason
    session.add(
        JobStatusChange(
            job_id=job.id,
            from_status=source,
            to_status=target,
            actor_id=actor.user_id or None,
            reason=reason,
            **_times(stamp),
        )
    )
    audit.record(
        session,
        actor,
        f"job.{target.value.lower()}",
        entity_type="Job",
        entity_id=job.id,
        from_status=source.value if source else None,
        reason=reason,
    )


async def _new_job(session: AsyncSession, actor: Actor, ticket: Ticket) -> Job:
    job = Job(
        number=await numbering.next_number(session, numbering.JOB),
        ticket_id=ticket.id,
        branch_id=ticket.branch_id,
        status=JobStatus.PENDING,
    )
    session.add(job)
    await session.flush()
    session.add(
        JobStatusChange(
            job_id=job.id, from_status=None, to_status=JobStatus.PENDING, actor_id=actor.user_id
        )
    )
    return job


# -- opening --------------------------------------------------------------------------------
async def _customer_for(
    session: AsyncSession, actor: Actor, request: OpenTicketRequest
) -> tuple[Customer, Address | None]:
    if (request.customer_id is None) == (request.new_customer is None):
        raise DomainError("CUSTOMER_REQUIRED", field="customer")
    if request.customer_id is not None:
        customer = await _visible(session, actor, Customer, request.customer_id)
        return customer, None
    if actor.role is Role.CUSTOMER:
        raise PermissionDenied
    new = request.new_customer
    assert new is not None
    name = require(new.name, "newCustomer.name")
    phone = check_phone(new.phone, "newCustomer.phone")
    address_values = new.address.validated("newCustomer.address")
    branch_id = request.branch_id or (actor.branch_id if actor.role is Role.CLERK else None)
    if branch_id is None:
        raise DomainError("BRANCH_REQUIRED", field="branchId")
    branch = await _visible(session, actor, Branch, branch_id)
    if actor.role is Role.CLERK and branch.id != actor.branch_id:
        raise PermissionDenied
    customer = Customer(
        code=await numbering.next_number(session, ("customer_number", "C")),
        name=name,
        kind=new.kind,
        tier=new.tier,
        phone=phone,
        owner_kind=OwnerKind.BRANCH,
        branch_id=branch.id,
    )
    session.add(customer)
    await session.flush()
    address = Address(
        customer_id=customer.id,
        is_default=True,
        **locate.coordinates_for_new_address(address_values, new.address.coord_system),
    )
    session.add(address)
    session.add(
        Contact(
            customer_id=customer.id,
            name=(new.contact_name or name).strip()[:50],
            phone=phone,
            is_primary=True,
        )
    )
    await session.flush()
    audit.record(session, actor, "customer.created", entity_type="Customer", entity_id=customer.id)
    return customer, address


async def _type_details(
    session: AsyncSession, actor: Actor, request: OpenTicketRequest, customer: Customer
) -> tuple[dict[str, Any], Device | None, AccountCard | None]:
    """Check what the ticket's type needs and return what to keep in ``details``."""
    device: Device | None = None
    card: AccountCard | None = None
    details: dict[str, Any] = {}
    kind = request.type
    if kind in DEVICE_TYPES or request.device_id is not None:
        if request.device_id is None:
            raise DomainError("DEVICE_REQUIRED", field="deviceId")
        device = await _visible(session, actor, Device, request.device_id)
        # The state first: "not installed" says more than "not this customer's" once a
        # device was taken away (its customer is cleared on uninstall).
        if kind in DEVICE_TYPES and device.status is not DeviceStatus.INSTALLED:
            raise DomainError("DEVICE_NOT_INSTALLED", field="deviceId", status=device.status.value)
        if device.customer_id != customer.id:
            raise DomainError("DEVICE_NOT_OF_CUSTOMER", field="deviceId")
        if (
            kind is TicketType.RECHARGE
            and request.recharge is not None
            and request.recharge.plan is not device.supply_mode
        ):
            raise DomainError(
                "RECHARGE_PLAN_MISMATCH", field="recharge.plan", mode=device.supply_mode.value
            )
    if kind is TicketType.CARD_CANCEL:
        if request.card_id is None:
            raise DomainError("CARD_REQUIRED", field="cardId")
        card = await _visible(session, actor, AccountCard, request.card_id)
        if card.customer_id != customer.id or card.status is not CardStatus.ACTIVE:
            raise DomainError("CARD_NOT_ACTIVE", field="cardId")
    if kind is TicketType.INSTALL:
        install = request.install
        if install is None:
            raise DomainError("REQUIRED", field="install")
        number = require(install.card_number, "install.cardNumber", 32)
        card = (
            await session.execute(select(AccountCard).where(AccountCard.card_number == number))
        ).scalar_one_or_none()
        if card is None:
            raise DomainError("NOT_FOUND", field="install.cardNumber")
        if card.status is CardStatus.ACTIVE:
            raise DomainError("CARD_ALREADY_ACTIVE", field="install.cardNumber", value=number)
        model = await session.get(DeviceModel, install.device_model_id)
        if model is None or model.deleted_at is not None:
            raise DomainError("NOT_FOUND", field="install.deviceModelId")
        serial = require(install.serial_number, "install.serialNumber", 64)
        in_use = await session.scalar(
            select(Device.id).where(
                Device.serial_number == serial, Device.status == DeviceStatus.INSTALLED
            )
        )
        if in_use is not None:
            raise DomainError("SERIAL_IN_USE", field="install.serialNumber", value=serial)
        if await machines.in_stock(session, serial) is None:
            raise DomainError("SERIAL_NOT_IN_STOCK", field="install.serialNumber", value=serial)
        if install.price is not None and install.price < 0:
            raise DomainError("AMOUNT_NEGATIVE", field="install.price")
        details["install"] = {
            "card_number": number,
            "device_model_id": model.id,
            "serial_number": serial,
            "contract_number": install.contract_number.strip()[:64],
            "price": str(install.price if install.price is not None else model.list_price),
        }
    if kind is TicketType.RECHARGE:
        if request.recharge is None:
            raise DomainError("REQUIRED", field="recharge")
        details["recharge"] = request.recharge.validated()
    if request.expected_parts:
        if len(request.expected_parts) > 50:
            raise DomainError("INVALID_ARGUMENT", field="expectedParts")
        part_ids = {part_id for part_id, _ in request.expected_parts}
        known = set((await session.execute(select(Part.id).where(Part.id.in_(part_ids)))).scalars())
        for index, (part_id, quantity) in enumerate(request.expected_parts):
            if part_id not in known:
                raise DomainError("UNKNOWN_PART", field=f"expectedParts.{index}.partId")
            if quantity <= 0:
                raise DomainError("QUANTITY_OUT_OF_RANGE", field=f"expectedParts.{index}.quantity")
        details["expected_parts"] = [
            {"part_id": part_id, "quantity": quantity}
            for part_id, quantity in request.expected_parts
        ]
    if kind is TicketType.RELOCATE:
        if request.relocate_to is None:
            raise DomainError("REQUIRED", field="relocateTo")
        details["relocate_to"] = locate.coordinates_for_new_address(
            request.relocate_to.validated("relocateTo"), request.relocate_to.coord_system
        )
    return details, device, card


async def open_ticket(
    session: AsyncSession,
    actor: Actor,
    *,
    request: OpenTicketRequest,
    sla_overrides: Mapping[str, Mapping[str, int]] | None = None,
) -> Ticket:
    """Open a ticket of any type for an existing or a new customer (the hotline's call)."""
    if actor.role not in states.DISPATCHERS and actor.role is not Role.CUSTOMER:
        raise PermissionDenied
    customer, new_address = await _customer_for(session, actor, request)
    details, device, card = await _type_details(session, actor, request, customer)
    address_id = request.address_id
    if address_id is not None:
        address = await _visible(session, actor, Address, address_id)
        if address.customer_id != customer.id:
            raise DomainError("NOT_FOUND", field="addressId")
    elif new_address is not None:
        address_id = new_address.id
    elif device is not None and device.address_id is not None:
        address_id = device.address_id
    else:
        addresses = (
            await session.execute(
                select(Address).where(
                    Address.customer_id == customer.id, Address.deleted_at.is_(None)
                )
            )
        ).scalars()
        fallback = default_address(list(addresses))
        address_id = fallback.id if fallback is not None else None
    if address_id is None and request.type is TicketType.INSTALL:
        raise DomainError("REQUIRED", field="addressId")  # a machine goes in at an address
    branch_id = customer.branch_id
    if request.branch_id and request.customer_id is not None:
        branch_id = (await _visible(session, actor, Branch, request.branch_id)).id
    if actor.role is Role.CLERK and branch_id != actor.branch_id:
        raise PermissionDenied
    channel = Channel.APP if actor.role is Role.CUSTOMER else request.channel
    ticket = await opening.new_ticket(
        session,
        actor,
        type=request.type,
        priority=request.priority,
        opened_at=utcnow(),
        sla_overrides=sla_overrides,
        channel=channel,
        customer_id=customer.id,
        branch_id=branch_id,
        device_id=device.id if device else None,
        card_id=card.id if card and request.type is TicketType.CARD_CANCEL else None,
        address_id=address_id,
        description=request.description.strip()[:2000],
        created_by_id=actor.user_id,
        handler_id=actor.user_id if actor.role is not Role.CUSTOMER else None,
        details={**details, **request.extra},
    )
    await session.flush()
    return ticket


# -- dispatcher moves -----------------------------------------------------------------------
async def approve_ticket(session: AsyncSession, actor: Actor, *, ticket_id: str) -> Ticket:
    states.check_role(states.APPROVE, actor.role)
    ticket = await _visible(session, actor, Ticket, ticket_id)
    states.check(states.APPROVE, role=actor.role, current=ticket.status)
    if ticket.type is TicketType.RELOCATE and actor.role not in states.BRANCH_APPROVERS:
        raise PermissionDenied  # a move is approved by the branch (and finance), not the hotline
    _move_ticket(session, actor, ticket, TicketStatus.APPROVED)
    await _flush(session, ticket)
    return ticket


async def reject_ticket(
    session: AsyncSession, actor: Actor, *, ticket_id: str, reason: str
) -> Ticket:
    states.check_role(states.REJECT, actor.role)
    ticket = await _visible(session, actor, Ticket, ticket_id)
    states.check(states.REJECT, role=actor.role, current=ticket.status, reason=reason)
    _move_ticket(session, actor, ticket, TicketStatus.REJECTED, reason=_reason(reason))
    ticket.closed_at = utcnow()
    await _flush(session, ticket)
    return ticket


async def dispatch_ticket(
    session: AsyncSession, actor: Actor, *, ticket_id: str, branch_id: str
) -> tuple[Ticket, Job]:
    """Send an approved ticket to a branch, opening its job (派单)."""
    states.check_role(states.DISPATCH, actor.role)
    ticket = await _visible(session, actor, Ticket, ticket_id)
    states.check(states.DISPATCH, role=actor.role, current=ticket.status)
    branch = await _visible(session, actor, Branch, branch_id)
    if branch.kind is BranchKind.HQ or not branch.is_active:
        raise DomainError("INVALID_BRANCH", field="branchId")
    if actor.role is Role.CLERK and branch.id != actor.branch_id:
        raise PermissionDenied
    ticket.branch_id = branch.id
    _move_ticket(session, actor, ticket, TicketStatus.DISPATCHED)
    await _flush(session, ticket)
    job = await _new_job(session, actor, ticket)
    return ticket, job


def check_window(start: dt.datetime | None, end: dt.datetime | None) -> None:
    if start is None and end is None:
        return
    if start is None or end is None or end <= start or end < utcnow():
        raise DomainError("APPOINTMENT_WINDOW_INVALID", field="appointmentStart")


async def assign_job(
    session: AsyncSession,
    actor: Actor,
    *,
    job_id: str,
    technician_id: str,
    appointment_start: dt.datetime | None = None,
    appointment_end: dt.datetime | None = None,
) -> Job:
    """Give a job to an engineer of its branch, with the agreed window (预约) if known.

    Assigning again before the engineer leaves reassigns or reschedules.
    """
    states.check_role(states.ASSIGN, actor.role)
    job = await _visible(session, actor, Job, job_id)
    ticket = await _visible(session, actor, Ticket, job.ticket_id)
    states.check(states.ASSIGN, role=actor.role, current=ticket.status)
    if job.status not in (JobStatus.PENDING, JobStatus.ASSIGNED, JobStatus.ACCEPTED):
        raise DomainError("INVALID_TRANSITION", action="assign", status=job.status.value)
    technician = await session.get(Technician, technician_id)
    if (
        technician is None
        or technician.branch_id != job.branch_id
        or not technician.is_active
        or technician.deleted_at is not None
    ):
        raise DomainError("TECHNICIAN_NOT_IN_BRANCH", field="technicianId")
    check_window(appointment_start, appointment_end)
    reassigned = job.technician_id is not None and job.technician_id != technician.id
    if job.technician_id != technician.id:
        # A route position belongs to the engineer it was planned for.
        job.route_plan_id = job.route_position = None
        job.planned_arrival = job.eta = None
    job.technician_id = technician.id
    job.appointment_start = appointment_start
    job.appointment_end = appointment_end
    note = states.system_reason("REASSIGNED") if reassigned else ""
    _move_job(session, actor, job, JobStatus.ASSIGNED, reason=note)
    target = TicketStatus.APPOINTED if appointment_start is not None else TicketStatus.ASSIGNED
    if ticket.status is TicketStatus.APPOINTED and target is TicketStatus.ASSIGNED:
        target = TicketStatus.APPOINTED  # a window once agreed stays until changed
    _move_ticket(session, actor, ticket, target, reason=note)
    await _flush(session, ticket)
    await _flush(session, job)
    return job


async def cancel_ticket(
    session: AsyncSession, actor: Actor, *, ticket_id: str, reason: str
) -> Ticket:
    states.check_role(states.CANCEL, actor.role)
    ticket = await _visible(session, actor, Ticket, ticket_id)
    states.check(states.CANCEL, role=actor.role, current=ticket.status, reason=reason)
    text = _reason(reason)
    jobs = (
        await session.execute(
            select(Job).where(Job.ticket_id == ticket.id, Job.status.in_(JOB_OPEN_STATUSES))
        )
    ).scalars()
    for job in jobs:
        _move_job(session, actor, job, JobStatus.CANCELLED, reason=text)
        await inventory.reverse_job(session, actor, job_id=job.id)  # parts go back to the van
    _move_ticket(session, actor, ticket, TicketStatus.CANCELLED, reason=text)
    ticket.closed_at = utcnow()
    await _flush(session, ticket)
    return ticket


# -- engineer moves -------------------------------------------------------------------------
async def _my_job(session: AsyncSession, actor: Actor, job_id: str) -> tuple[Job, Ticket]:
    if actor.role is not Role.TECHNICIAN:
        raise PermissionDenied
    job = await session.get(Job, job_id)
    if job is None or job.technician_id != actor.technician_id or job.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="id")
    ticket = await session.get(Ticket, job.ticket_id)
    assert ticket is not None
    return job, ticket


async def _stamp(
    session: AsyncSession, job: Job, ticket: Ticket, recorded_at: dt.datetime | None
) -> Stamp:
    """When the engineer's move happened: the phone's time, checked (clock_rules.py).

    The previous step is the job's last, or its ticket's if later (the move is written to
    both histories, and each stays in order).
    """
    now = utcnow()
    if recorded_at is None:
        return clock_rules.server_stamp(now)
    last_job = await session.scalar(
        select(func.max(JobStatusChange.at)).where(JobStatusChange.job_id == job.id)
    )
    last_ticket = await session.scalar(
        select(func.max(TicketStatusChange.at)).where(TicketStatusChange.ticket_id == ticket.id)
    )
    previous = max((t for t in (last_job, last_ticket) if t is not None), default=None)
    return clock_rules.judge(
        recorded_at, received=now, previous=previous, rules=config.current().clock
    )


async def _engineer_move(
    session: AsyncSession,
    actor: Actor,
    job_id: str,
    move: states.Move,
    target: JobStatus,
    recorded_at: dt.datetime | None,
) -> Job:
    """Accept, start travel, arrive: the job moves and its ticket follows where it must."""
    job, ticket = await _my_job(session, actor, job_id)
    states.check(move, role=actor.role, current=job.status)
    stamp = await _stamp(session, job, ticket, recorded_at)
    setattr(job, MOVE_STAMPS[target], stamp.occurred_at)
    _move_job(session, actor, job, target, stamp=stamp)
    ticket_target = states.TICKET_FOR_JOB.get(target)
    if ticket_target is not None:
        _move_ticket(session, actor, ticket, ticket_target, stamp=stamp)
        await _flush(session, ticket)
    await _flush(session, job)
    if target is JobStatus.ON_SITE:
        job.eta = stamp.occurred_at  # the estimate ends where the arrival is known
    await _after_move(session, job, ticket, stamp, reached=target is JobStatus.ON_SITE)
    return job


async def _after_move(
    session: AsyncSession, job: Job, ticket: Ticket, stamp: Stamp, *, reached: bool
) -> None:
    """The engineer's position and the ETAs of their remaining stops follow each move.

    The site is where the engineer was when the move happened (a later-known site stays);
    estimates run from the server's now, the arrival's service time from the arrival's time.
    """
    if job.technician_id is None:
        return
    tech = await session.get(Technician, job.technician_id)
    if tech is None:
        return
    if reached and (tech.site_at is None or tech.site_at <= stamp.occurred_at):
        address = await session.get(Address, ticket.address_id) if ticket.address_id else None
        locate.mark_site(tech, locate.address_site(address), stamp.occurred_at)
    await eta.refresh(session, tech, stamp.received_at)
    await session.flush()


MOVE_STAMPS = {
    JobStatus.ACCEPTED: "accepted_at",
    JobStatus.EN_ROUTE: "started_travel_at",
    JobStatus.ON_SITE: "arrived_at",
}


async def accept_job(
    session: AsyncSession, actor: Actor, *, job_id: str, recorded_at: dt.datetime | None = None
) -> Job:
    """``recorded_at``: when the phone recorded the move (the server's now when not given)."""
    return await _engineer_move(
        session, actor, job_id, states.ACCEPT, JobStatus.ACCEPTED, recorded_at
    )


async def start_travel(
    session: AsyncSession, actor: Actor, *, job_id: str, recorded_at: dt.datetime | None = None
) -> Job:
    return await _engineer_move(
        session, actor, job_id, states.START_TRAVEL, JobStatus.EN_ROUTE, recorded_at
    )


async def arrive_on_site(
    session: AsyncSession, actor: Actor, *, job_id: str, recorded_at: dt.datetime | None = None
) -> Job:
    return await _engineer_move(
        session, actor, job_id, states.ARRIVE, JobStatus.ON_SITE, recorded_at
    )


async def complete_job(
    session: AsyncSession,
    actor: Actor,
    *,
    job_id: str,
    report: Mapping[str, Any],
    recorded_at: dt.datetime | None = None,
) -> Job:
    """File the visit's report; the ticket is completed and its follow-up call falls due.

    Everything dated by the visit (history, completion, the water test, the call's due time)
    takes the time the work was done, not the time the phone synced.
    """
    job, ticket = await _my_job(session, actor, job_id)
    states.check(states.COMPLETE, role=actor.role, current=job.status)
    clean = effects.check_report(ticket, report)
    stamp = await _stamp(session, job, ticket, recorded_at)
    done = stamp.occurred_at
    await effects.on_complete(session, actor, ticket, job, clean, at=done)
    job.completed_at = done
    job.report = clean
    ticket.completed_at = done
    _move_job(session, actor, job, JobStatus.COMPLETED, stamp=stamp)
    _move_ticket(session, actor, ticket, TicketStatus.COMPLETED, stamp=stamp)
    # One microsecond later, so the history sorts in the order the moves happened.
    later = stamp.after(dt.timedelta(microseconds=1))
    _move_ticket(session, actor, ticket, TicketStatus.FOLLOW_UP_DUE, stamp=later)
    session.add(FollowUp(ticket_id=ticket.id, due_at=done + FOLLOW_UP_DELAY))
    await _flush(session, ticket)
    await _flush(session, job)
    await _after_move(session, job, ticket, stamp, reached=True)
    return job


async def fail_job(
    session: AsyncSession,
    actor: Actor,
    *,
    job_id: str,
    reason: str,
    recorded_at: dt.datetime | None = None,
) -> Job:
    """The visit could not be done: the ticket goes back to its dispatcher with a new job."""
    job, ticket = await _my_job(session, actor, job_id)
    states.check(states.FAIL, role=actor.role, current=job.status, reason=reason)
    text = _reason(reason)
    stamp = await _stamp(session, job, ticket, recorded_at)
    _move_job(session, actor, job, JobStatus.FAILED, reason=text, stamp=stamp)
    _move_ticket(session, actor, ticket, TicketStatus.DISPATCHED, reason=text, stamp=stamp)
    await _flush(session, ticket)
    await _flush(session, job)
    await _new_job(session, actor, ticket)
    await _after_move(session, job, ticket, stamp, reached=job.arrived_at is not None)
    return job


# -- follow-up ------------------------------------------------------------------------------
async def record_follow_up(
    session: AsyncSession,
    actor: Actor,
    *,
    ticket_id: str,
    score: int,
    dissatisfaction: Dissatisfaction | None = None,
    comment: str = "",
) -> tuple[Ticket, FollowUp, Ticket | None]:
    """The hotline's call back (回访): the score closes the ticket; a low one opens a complaint."""
    states.check_role(states.FOLLOW_UP, actor.role)
    ticket = await _visible(session, actor, Ticket, ticket_id)
    states.check(states.FOLLOW_UP, role=actor.role, current=ticket.status)
    if not 1 <= score <= 5:
        raise DomainError("SCORE_OUT_OF_RANGE", field="score")
    if score <= LOW_SCORE and dissatisfaction is None:
        raise DomainError("DISSATISFACTION_REQUIRED", field="dissatisfaction")
    now = utcnow()
    follow_up = (
        (
            await session.execute(
                select(FollowUp)
                .where(FollowUp.ticket_id == ticket.id, FollowUp.status == FollowUpStatus.DUE)
                .order_by(FollowUp.due_at)
            )
        )
        .scalars()
        .first()
    )
    if follow_up is None:
        follow_up = FollowUp(ticket_id=ticket.id, due_at=now)
        session.add(follow_up)
    follow_up.status = FollowUpStatus.DONE
    follow_up.score = score
    follow_up.dissatisfaction = dissatisfaction
    follow_up.comment = comment.strip()[:1000]
    follow_up.recorded_by_id = actor.user_id
    follow_up.recorded_at = now
    await effects.on_close(session, actor, ticket)
    _move_ticket(session, actor, ticket, TicketStatus.CLOSED, stamp=clock_rules.server_stamp(now))
    ticket.closed_at = now
    await _flush(session, ticket)
    complaint = None
    if score <= LOW_SCORE:
        complaint = await opening.open_follow_up_ticket(
            session,
            actor,
            origin=ticket,
            ticket_type=TicketType.COMPLAINT,
            description=f"回访评分 {score}：{follow_up.comment}",
            details={
                "follow_up_score": score,
                "dissatisfaction": dissatisfaction.value if dissatisfaction else None,
            },
        )
    audit.record(
        session,
        actor,
        "follow_up.recorded",
        entity_type="Ticket",
        entity_id=ticket.id,
        score=score,
    )
    await session.flush()
    return ticket, follow_up, complaint


# -- desk work: complaints, inquiries, praise -----------------------------------------------
DESK_TYPES = frozenset({TicketType.COMPLAINT, TicketType.INQUIRY, TicketType.PRAISE})
MAX_DEPARTMENT = 50


async def route_ticket(
    session: AsyncSession, actor: Actor, *, ticket_id: str, department: str, note: str = ""
) -> Ticket:
    """Hand a complaint, inquiry or praise to a department, or back (empty department)."""
    states.check_role(states.ROUTE, actor.role)
    ticket = await _visible(session, actor, Ticket, ticket_id)
    states.check(states.ROUTE, role=actor.role, current=ticket.status)
    if ticket.type not in DESK_TYPES:
        raise DomainError("INVALID_TRANSITION", action="route", status=ticket.status.value)
    target = department.strip()
    if len(target) > MAX_DEPARTMENT:
        raise DomainError("VALUE_TOO_LONG", field="department", maximum=MAX_DEPARTMENT)
    text = _reason(note)
    trail = list(ticket.details.get("routing", []))
    trail.append(
        {
            "from": ticket.department,
            "to": target,
            "by": actor.user_id,
            "at": utcnow().isoformat(),
            "note": text,
        }
    )
    ticket.details = {**ticket.details, "routing": trail}
    ticket.department = target
    ticket.handler_id = actor.user_id
    audit.record(
        session,
        actor,
        "ticket.routed",
        entity_type="Ticket",
        entity_id=ticket.id,
        department=target,
        note=text,
    )
    await _flush(session, ticket)
    return ticket


async def resolve_ticket(
    session: AsyncSession, actor: Actor, *, ticket_id: str, resolution: str
) -> Ticket:
    """Answer a complaint or inquiry at the desk (its call back falls due); praise closes."""
    states.check_role(states.RESOLVE, actor.role)
    ticket = await _visible(session, actor, Ticket, ticket_id)
    states.check(states.RESOLVE, role=actor.role, current=ticket.status, reason=resolution)
    if ticket.type not in DESK_TYPES:
        raise DomainError("INVALID_TRANSITION", action="resolve", status=ticket.status.value)
    text = _reason(resolution)
    now = utcnow()
    stamp = clock_rules.server_stamp(now)
    later = stamp.after(dt.timedelta(microseconds=1))
    ticket.details = {**ticket.details, "resolution": text}
    ticket.handler_id = actor.user_id
    ticket.completed_at = now
    _move_ticket(session, actor, ticket, TicketStatus.COMPLETED, reason=text, stamp=stamp)
    if ticket.type is TicketType.PRAISE:
        _move_ticket(session, actor, ticket, TicketStatus.CLOSED, stamp=later)
        ticket.closed_at = now
    else:
        _move_ticket(session, actor, ticket, TicketStatus.FOLLOW_UP_DUE, stamp=later)
        session.add(FollowUp(ticket_id=ticket.id, due_at=now + FOLLOW_UP_DELAY))
    await _flush(session, ticket)
    return ticket
