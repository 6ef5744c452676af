"""Tickets and their jobs, planned: the status each ends in, the steps before it and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..domain.dispatch import locate
from ..domain.models.enums import (
    TICKET_OPEN_STATUSES,
    CardStatus,
    Channel,
    DeviceStatus,
    JobStatus,
    Priority,
    SupplyMode,
    TicketStatus,
    TicketType,
)
from ..domain.workflow import sla
from . import chains
from .clock import CHINA, SLOTS, local_time, ref, uid
from .devices import new_device
from .plans import CardPlan, CustomerPlan, DevicePlan, JobPlan, Step, Tech, TicketPlan
from .state import Demo
from .ticket_details import recharge_details
from .ticket_mix import (
    CANCEL_REASONS,
    DESCRIPTIONS,
    NEEDS_DEVICE,
    REJECT_REASONS,
    TAKES_DEVICE,
    TICKET_STATUS_WEIGHTS,
    TICKET_TYPE_WEIGHTS,
)

# The share of open tickets left past their SLA time, for the overdue lists to show; the
# others were opened within this much of their SLA time, so they do not fall due at once.
LATE_SHARE = 0.1
OPENED_WITHIN = 0.8


def pick_tech(demo: Demo, branch: str, ticket_type: TicketType, *, field: bool) -> Tech | None:
    """An engineer of the branch with the skill; where none has it, whoever goes learns it.

    A branch sends someone to every kind of visit, and an engineer sent on one holds its
    skill: granting it here (instead of redrawing) keeps the random stream, so the seeded
    demo stays what the tests read.
    """
    key = (branch, ticket_type)
    if key not in demo.skilled:
        techs = demo.techs[branch]
        demo.skilled[key] = [t for t in techs if ticket_type in t.skills] or techs
    skilled = demo.skilled[key]
    if field:
        skilled = [t for t in skilled if t.id not in demo.in_field]
    if not skilled:
        return None
    tech = demo.rng.choice(skilled)
    if ticket_type not in tech.skills:
        tech.skills = tech.skills | {str(ticket_type)}
        demo.learned.add(tech.id)
    return tech


def plan_ticket(
    demo: Demo,
    customer: CustomerPlan,
    ticket_type: TicketType,
    status: TicketStatus,
    *,
    tech: Tech | None = None,
    slot: tuple[dt.date, int] | None = None,
) -> None:
    rng = demo.rng
    chain = chain_to(demo, status)
    done = TicketStatus.COMPLETED in chain
    device: DevicePlan | None = None
    active = [d for d in customer.devices if not d.settled and d.status is DeviceStatus.INSTALLED]
    if ticket_type in TAKES_DEVICE and done:
        fresh = [d for d in active if not d.referenced]
        if fresh:
            device = rng.choice(fresh)
        else:
            ticket_type = TicketType.REPAIR
    needs_device = ticket_type in NEEDS_DEVICE or (
        ticket_type is TicketType.COMPLAINT and rng.random() < 0.5
    )
    if needs_device and device is None:
        if active:
            device = rng.choice(active)
        elif ticket_type is not TicketType.COMPLAINT:
            ticket_type = TicketType.INSTALL
    branch = customer.place.code
    if TicketStatus.ASSIGNED in chain and tech is None:
        in_field = status in (TicketStatus.EN_ROUTE, TicketStatus.ON_SITE)
        tech = pick_tech(demo, branch, ticket_type, field=in_field)
        if tech is None:  # everyone is already out: it waits for its appointment instead
            status, chain = TicketStatus.APPOINTED, chain_to(demo, TicketStatus.APPOINTED)
            tech = pick_tech(demo, branch, ticket_type, field=False)
    if tech is not None and status in (TicketStatus.EN_ROUTE, TicketStatus.ON_SITE):
        demo.in_field.add(tech.id)
    earliest = device.installed_at if device and device.installed_at else customer.created_at
    priority = rng.choices(tuple(Priority), (10, 60, 22, 8))[0]
    if ticket_type is TicketType.COMPLAINT:
        priority = rng.choice((Priority.HIGH, Priority.URGENT, Priority.NORMAL))
    allowed = sla.due_at(demo.clock.now, ticket_type, priority) - demo.clock.now
    times, appointment = plan_timeline(demo, chain, slot, earliest, allowed)
    hotline, hq, clerk = ref("user", "hotline"), ref("user", "hq"), demo.clerks[branch]
    tech_user = tech.user_id if tech else None
    actors: dict[TicketStatus, str | None] = {
        TicketStatus.CREATED: hotline,
        TicketStatus.APPROVED: hq,
        TicketStatus.REJECTED: hq,
        TicketStatus.DISPATCHED: hotline,
        TicketStatus.ASSIGNED: clerk,
        TicketStatus.APPOINTED: clerk,
        TicketStatus.EN_ROUTE: tech_user,
        TicketStatus.ON_SITE: tech_user,
        TicketStatus.COMPLETED: tech_user,
        TicketStatus.FOLLOW_UP_DUE: clerk,
        TicketStatus.CLOSED: hotline,
        TicketStatus.CANCELLED: hotline,
    }
    reason = ""
    if status is TicketStatus.REJECTED:
        reason = rng.choice(REJECT_REASONS)
    elif status is TicketStatus.CANCELLED:
        reason = rng.choice(CANCEL_REASONS)
    steps = [Step(s, times[s], actors[s], reason if s is status and reason else "") for s in chain]
    job = plan_job(demo, customer, chain, times, tech, appointment, actors, reason)
    card: CardPlan | None = None
    details: dict[str, Any] = {}
    description = rng.choice(DESCRIPTIONS[ticket_type])
    address_id = device.address_id if device and device.address_id else customer.address_id
    finished = times.get(TicketStatus.COMPLETED)
    if device is not None:
        device.referenced = True
        if ticket_type is TicketType.RECHARGE:
            monthly = device.model.supply_mode is SupplyMode.MONTHLY
            quantity = rng.choice((3, 6, 12) if monthly else (20, 30, 50))
            description = f"客户续费{quantity}个月" if monthly else f"客户充值{quantity}桶"
            details["recharge"] = recharge_details(device, quantity, len(demo.tickets))
        if ticket_type is TicketType.CARD_CANCEL:
            card = device.card
    if ticket_type is TicketType.RELOCATE:
        description = plan_relocation(demo, customer, device, times, description, details)
    if finished is not None and device is not None:
        if ticket_type is TicketType.UNINSTALL:
            device.settled = True
            device.status = DeviceStatus.UNINSTALLED
            device.customer_id = device.address_id = None
            device.updated_at = finished
            cancel_card(demo, device.card, finished)
        elif ticket_type is TicketType.CARD_CANCEL:
            device.settled = True
            cancel_card(demo, device.card, finished)
    if ticket_type is TicketType.INSTALL and finished is not None:
        device = new_device(demo, customer, finished)
        device.referenced = device.settled = True
        card = device.card
        if card is not None:
            card.created_at = times[TicketStatus.CREATED]
    channel = rng.choices(
        (Channel.HOTLINE, Channel.WECHAT, Channel.APP, Channel.WALK_IN, Channel.AGENT),
        (70, 12, 10, 3, 5 if customer.agent_id else 0),
    )[0]
    demo.tickets.append(
        TicketPlan(
            type=ticket_type,
            priority=priority,
            channel=channel,
            customer=customer,
            device=device,
            card=card,
            address_id=address_id,
            description=description,
            handler_id=clerk if TicketStatus.DISPATCHED in chain else None,
            steps=steps,
            reason=reason,
            job=job,
            score=draw_score(demo) if status is TicketStatus.CLOSED else None,
            details=details,
        )
    )


def draw_score(demo: Demo) -> int:
    return demo.rng.choices((5, 4, 3, 2, 1), (50, 30, 10, 6, 4))[0]


def cancel_card(demo: Demo, card: CardPlan | None, at: dt.datetime) -> None:
    """An account closed by the ticket: the card returns to awaiting activation."""
    if card is not None:
        card.status = CardStatus.AWAITING_ACTIVATION
        card.customer_id = card.device_id = None
        card.cancelled_at = at


def plan_relocation(
    demo: Demo,
    customer: CustomerPlan,
    device: DevicePlan | None,
    times: dict[TicketStatus, dt.datetime],
    description: str,
    details: dict[str, Any],
) -> str:
    """Every move names its destination; a closed move leaves the machine there."""
    district, streets = demo.rng.choice(customer.place.districts)
    street = demo.rng.choice(streets)
    place = customer.place
    details["relocate_to"] = locate.coordinates_for_new_address(
        {"province": place.province, "city": place.city, "district": district}
        | {"street": street, "community": "", "building": "", "room": ""}
        | {"latitude": None, "longitude": None}
    )
    n = demo.next_address
    demo.next_address += 1
    address_id = uid("address", n)
    moved = TicketStatus.CLOSED in times and device is not None
    # Only a customer's first completed move changes their default address.
    becomes_default = moved and customer.address_id == uid("address", customer.n)
    demo.pending_addresses.append(
        (customer, n, district, street, becomes_default, times[TicketStatus.CREATED])
    )
    if becomes_default:
        demo.moved_from[customer.address_id] = times[TicketStatus.CLOSED]
        customer.address_id = address_id
    if moved and device is not None:
        device.address_id = address_id
        device.updated_at = times[TicketStatus.CLOSED]
    return f"{description}，新地址：{customer.place.city}{district}{street}"


def chain_to(demo: Demo, status: TicketStatus) -> list[TicketStatus]:
    if status is TicketStatus.CANCELLED:
        return chains.ticket_chain(status, demo.rng.choice(chains.CANCELLABLE))
    return chains.ticket_chain(status)


def plan_timeline(
    demo: Demo,
    chain: list[TicketStatus],
    slot: tuple[dt.date, int] | None,
    earliest: dt.datetime,
    allowed: dt.timedelta,
) -> tuple[dict[TicketStatus, dt.datetime], tuple[dt.datetime, dt.datetime] | None]:
    """When each step happened: after ``earliest`` (the customer's or the device's start),
    before the demo's "now", in office hours unless squeezed to fit the SLA. Most tickets still
    open were opened recently enough to be within ``allowed`` (their SLA time); a few are late."""
    rng, clock = demo.rng, demo.clock
    # Days a finished ticket may lie back, leaving room for the steps before its last one.
    reach = max(5, min(90, (clock.today - earliest.astimezone(CHINA).date()).days - 6))
    final = chain[-1]
    times: dict[TicketStatus, dt.datetime] = {}
    appointment: tuple[dt.datetime, dt.datetime] | None = None
    if TicketStatus.EN_ROUTE in chain:
        # A visit: pick its day and window, then the trip around it. One under way began
        # this hour (on site: the hour before), so the engineer set out minutes ago.
        if final is TicketStatus.EN_ROUTE:
            start = clock.this_hour()
        elif final is TicketStatus.ON_SITE:
            start = clock.this_hour() - dt.timedelta(hours=1)
        elif final in (TicketStatus.COMPLETED, TicketStatus.FOLLOW_UP_DUE):
            # Done in one of the last windows that have ended: its call-back is due soon.
            start = local_time(*rng.choice(clock.ended_slots()[:4]))
        else:
            day = clock.today - dt.timedelta(days=rng.randint(5, reach))
            start = local_time(day, rng.choice(SLOTS))
        appointment = (start, start + dt.timedelta(hours=2))
        times[TicketStatus.EN_ROUTE] = start - demo.minutes(15, 45)
        on_site = max(
            times[TicketStatus.EN_ROUTE] + demo.minutes(10, 20), start + demo.minutes(-10, 40)
        )
        if final is TicketStatus.ON_SITE:
            on_site = min(on_site, clock.now - demo.minutes(5, 20))
        if TicketStatus.ON_SITE in chain:
            times[TicketStatus.ON_SITE] = on_site
        if TicketStatus.COMPLETED in chain:
            times[TicketStatus.COMPLETED] = on_site + demo.minutes(20, 100)
        if TicketStatus.FOLLOW_UP_DUE in chain:
            times[TicketStatus.FOLLOW_UP_DUE] = times[TicketStatus.COMPLETED] + demo.minutes(5, 40)
        if TicketStatus.CLOSED in chain:
            times[TicketStatus.CLOSED] = demo.working_after(
                times[TicketStatus.FOLLOW_UP_DUE] + demo.minutes(180, 72 * 60)
            )
        later = TicketStatus.EN_ROUTE
    else:
        window = {
            TicketStatus.CREATED: (0, 6 * 60),
            TicketStatus.APPROVED: (0, 10 * 60),
            TicketStatus.DISPATCHED: (0, 20 * 60),
            TicketStatus.ASSIGNED: (0, 30 * 60),
            TicketStatus.APPOINTED: (0, 40 * 60),
        }.get(final, (120, reach * 24 * 60))
        times[final] = demo.working_before(clock.now - demo.minutes(*window))
        later = final
    gaps = {  # minutes between a step and the one after it
        TicketStatus.CREATED: (5, 120),
        TicketStatus.APPROVED: (5, 60),
        TicketStatus.DISPATCHED: (15, 360),
        TicketStatus.ASSIGNED: (10, 180),
        TicketStatus.APPOINTED: (120, 48 * 60),
    }
    for status in reversed(chain[: chain.index(later)]):
        if final in (TicketStatus.REJECTED, TicketStatus.CANCELLED) and status is chain[-2]:
            gap = (10, 24 * 60)
        else:
            gap = gaps[status]
        times[status] = demo.working_before(times[later] - demo.minutes(*gap))
        later = status
    if final in TICKET_OPEN_STATUSES and rng.random() >= LATE_SHARE:
        within_sla(times, chain, clock.now - allowed * OPENED_WITHIN)
    if appointment is None and TicketStatus.APPOINTED in chain:
        appointed = times[TicketStatus.APPOINTED].astimezone(CHINA)
        if slot is not None:
            day, hour = slot
        elif final is TicketStatus.APPOINTED:
            # Still ahead: later today, or in the next few days.
            day = clock.today + dt.timedelta(days=rng.choice((0, 0, 1, 1, 2, 3)))
            if not clock.slots_left(day):  # today's windows have all begun
                day += dt.timedelta(days=1)
            hour = rng.choice(clock.slots_left(day))
        else:
            day = appointed.date() + dt.timedelta(days=rng.randint(1, 2))
            hour = rng.choice(SLOTS)
        start = local_time(day, hour)
        appointment = (start, start + dt.timedelta(hours=2))
    return times, appointment


def within_sla(
    times: dict[TicketStatus, dt.datetime], chain: list[TicketStatus], opened_by: dt.datetime
) -> None:
    """Pull the steps before a ticket's visit (or its last step) closer to it, so the ticket
    was opened no earlier than ``opened_by``; a visit already earlier than that stays late."""
    anchor = next(s for s in (TicketStatus.EN_ROUTE, chain[-1]) if s in times)
    end, start = times[anchor], times[chain[0]]
    if start >= opened_by or end <= opened_by:
        return
    scale = (end - opened_by) / (end - start)
    for status in chain[: chain.index(anchor)]:
        times[status] = end - (end - times[status]) * scale


def plan_job(
    demo: Demo,
    customer: CustomerPlan,
    chain: list[TicketStatus],
    times: dict[TicketStatus, dt.datetime],
    tech: Tech | None,
    appointment: tuple[dt.datetime, dt.datetime] | None,
    actors: dict[TicketStatus, str | None],
    reason: str,
) -> JobPlan | None:
    """The visit behind a dispatched ticket, its trail following the ticket's."""
    job_chain = chains.job_chain(chain)
    if not job_chain:
        return None
    # When each job status was reached, and by whom: most with the ticket move they go with.
    with_ticket = {
        JobStatus.PENDING: TicketStatus.DISPATCHED,
        JobStatus.ASSIGNED: TicketStatus.ASSIGNED,
        JobStatus.ACCEPTED: TicketStatus.EN_ROUTE,
        JobStatus.CANCELLED: TicketStatus.CANCELLED,
    } | {job: ticket for ticket, job in chains.JOB_FOR_TICKET.items()}
    steps = []
    for job_status in job_chain:
        ticket_status = with_ticket[job_status]
        at, actor = times[ticket_status], actors[ticket_status]
        if job_status is JobStatus.ACCEPTED:
            # Engineers accept soon after the appointment is agreed, within office hours.
            at = min(times[TicketStatus.APPOINTED] + demo.minutes(1, 20), at)
        cancelled = job_status is JobStatus.CANCELLED
        steps.append(Step(job_status, at, actor, reason if cancelled else ""))
    return JobPlan(
        branch_id=customer.branch_id,
        tech=tech if TicketStatus.ASSIGNED in chain else None,
        steps=steps,
        appointment=appointment,
        reason=reason if chain[-1] is TicketStatus.CANCELLED else "",
    )


def plan_tickets(demo: Demo) -> None:
    # Featured first, so they get the Shanghai customers' devices before anyone else.
    sh1 = demo.techs["SH"][0]
    demo.in_field.add(sh1.id)
    # tech-sh-1's next windows, soonest first (at 10:00: 13:00 and 15:00 today, 09:00 tomorrow).
    upcoming = demo.clock.upcoming_slots()
    featured: tuple[tuple[int, TicketType, TicketStatus, tuple[dt.date, int] | None], ...] = (
        (0, TicketType.REPAIR, TicketStatus.APPOINTED, upcoming[2]),  # customer-1
        (0, TicketType.FILTER_CHANGE, TicketStatus.CLOSED, None),
        (6, TicketType.REPAIR, TicketStatus.EN_ROUTE, None),
        (1, TicketType.FILTER_CHANGE, TicketStatus.APPOINTED, upcoming[1]),
        (7, TicketType.INSTALL, TicketStatus.APPOINTED, upcoming[3]),
        (2, TicketType.WATER_TEST, TicketStatus.ASSIGNED, None),
    )
    for n, ticket_type, status, slot in featured:
        plan_ticket(demo, demo.customers[n], ticket_type, status, tech=sh1, slot=slot)
    statuses, status_weights = zip(*TICKET_STATUS_WEIGHTS.items(), strict=True)
    types, type_weights = zip(*TICKET_TYPE_WEIGHTS.items(), strict=True)
    for _ in range(len(demo.tickets), round(demo.scale * 0.3)):
        customer = demo.rng.choice(demo.customers)
        ticket_type = demo.rng.choices(types, type_weights)[0]
        status = demo.rng.choices(statuses, status_weights)[0]
        plan_ticket(demo, customer, ticket_type, status)
