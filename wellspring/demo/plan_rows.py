"""The planned devices, cards, tickets, jobs and follow-ups written as rows."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, update

from ..domain import numbering
from ..domain.models import (
    AccountCard,
    Address,
    Base,
    CounterRow,
    Device,
    FollowUp,
    Job,
    JobStatusChange,
    Ticket,
    TicketStatusChange,
)
from ..domain.models.enums import (
    Dissatisfaction,
    FollowUpStatus,
    JobStatus,
    TicketStatus,
    TicketType,
)
from ..domain.workflow import sla, states
from ..domain.workflow.follow_ups import FOLLOW_UP_DELAY
from .clock import CHINA, ref, uid
from .customers import add_address
from .plans import JobPlan, Step, TicketPlan
from .state import Demo
from .ticket_mix import FOLLOW_UP_COMPLAINTS, FOLLOW_UP_PRAISE


async def write_relocation_addresses(demo: Demo) -> None:
    for customer, n, district, street, becomes_default, created in demo.pending_addresses:
        await add_address(
            demo,
            customer,
            n,
            district,
            street,
            label="新址",
            default=becomes_default,
            created=created,
        )


async def write_devices_and_cards(demo: Demo) -> None:
    for d in demo.devices:
        opened = d.installed_at.astimezone(CHINA).date() if d.installed_at else None
        d.serial = f"WS{(opened or demo.clock.today).year % 100:02d}{d.n + 1:08d}"
        await demo.writer.add(
            Device,
            demo.record(d.id, d.created_at, d.updated_at)
            | {
                "serial_number": d.serial,
                "device_model_id": ref("device-model", d.model.code),
                "contract_number": f"HT{opened.year}{d.n + 1:07d}" if opened else "",
                "status": d.status,
                "opened_on": opened,
                "price": d.price,
                "currency": "CNY",
                "branch_id": d.branch_id,
                "agent_id": d.agent_id,
                "customer_id": d.customer_id,
                "address_id": d.address_id,
                "supply_mode": d.model.supply_mode,
                "supply_expires_on": d.supply_expires_on,
                "bucket_balance": d.bucket_balance,
                "first_recharged_at": d.first_recharged_at,
                "installed_at": d.installed_at,
            },
        )
    for card in demo.cards:
        number = card.number = f"8860{demo.rng.randrange(10**4):04d}{card.n + 1:08d}"
        secret = f"{demo.rng.randrange(10**6):06d}"
        digest = hashlib.sha256(f"{number}:{secret}".encode()).hexdigest()
        updated = card.cancelled_at or card.activated_at or card.created_at
        await demo.writer.add(
            AccountCard,
            demo.record(card.id, card.created_at, updated)
            | {
                "card_number": number,
                "secret_hash": f"sha256${digest}",
                "status": card.status,
                "branch_id": card.branch_id,
                "agent_id": card.agent_id,
                "customer_id": card.customer_id,
                "device_id": card.device_id,
                "activated_at": card.activated_at,
                "cancelled_at": card.cancelled_at,
            },
        )


async def write_tickets(demo: Demo) -> tuple[int, int]:
    """Numbers follow creation order, as a live system would have handed them out."""
    tickets = sorted(demo.tickets, key=lambda t: t.steps[0].at)
    jobs: list[tuple[dt.datetime, int, JobPlan]] = []
    for number, t in enumerate(tickets, start=1):
        ticket_id = uid("ticket", number)
        created, last = t.steps[0], t.steps[-1]
        closed = last.status in (
            TicketStatus.CLOSED,
            TicketStatus.REJECTED,
            TicketStatus.CANCELLED,
        )
        await demo.writer.add(
            Ticket,
            demo.record(ticket_id, created.at, last.at)
            | {
                "number": numbering.format_number(numbering.TICKET, number),
                "type": t.type,
                "status": last.status,
                "priority": t.priority,
                "channel": t.channel,
                "customer_id": t.customer.id,
                "branch_id": t.customer.branch_id,
                "device_id": t.device.id if t.device else None,
                "card_id": t.card.id if t.card else None,
                "address_id": t.address_id,
                "description": t.description,
                "created_by_id": created.actor_id,
                "handler_id": t.handler_id,
                "department": (
                    "客户服务部"
                    if t.type in (TicketType.COMPLAINT, TicketType.INQUIRY)
                    else "售后服务部"
                ),
                "due_at": sla.due_at(created.at, t.type, t.priority),
                "closed_at": last.at if closed else None,
                "completed_at": next(
                    (s.at for s in t.steps if s.status is TicketStatus.COMPLETED), None
                ),
                "status_reason": t.reason,
                "linked_ticket_id": None,
                "revision": len(t.steps),
                "details": install_details(t),
            },
        )
        await write_steps(
            demo,
            TicketStatusChange,
            states.TICKET_EDGES,
            "ticket_id",
            ticket_id,
            f"ticket-status:{number}",
            t.steps,
        )
        await write_follow_up(demo, t, ticket_id, number)
        if t.job is not None:
            jobs.append((t.job.steps[0].at, number, t.job))
    jobs.sort(key=lambda j: (j[0], j[1]))
    for job_number, (_, ticket_number, job) in enumerate(jobs, start=1):
        await write_job(demo, job, job_number, uid("ticket", ticket_number))
    return len(tickets), len(jobs)


def install_details(t: TicketPlan) -> dict[str, Any]:
    """The ticket's details; an install's card number and serial are known once written."""
    if t.install is None:
        return t.details
    card, device = t.install
    return t.details | {
        "install": {
            "card_number": card.number,
            "device_model_id": ref("device-model", device.model.code),
            "serial_number": device.serial,
            "contract_number": "",
            "price": str(device.model.list_price),
        }
    }


async def write_steps(
    demo: Demo,
    model: type[Base],
    edges: frozenset[tuple[str | None, str]],
    parent_key: str,
    parent_id: str,
    kind: str,
    steps: list[Step],
    extra: Callable[[Step], dict[str, Any]] = lambda _step: {},
) -> None:
    """A history, each row an edge the state machine allows (the services' last guard);
    ``extra`` gives a row's own columns (a job step's engineer)."""
    previous: enum.StrEnum | None = None
    for k, step in enumerate(steps):
        states.check_edge(edges, previous, step.status)
        await demo.writer.add(
            model,
            demo.record(uid(kind, k), step.at)
            | {
                parent_key: parent_id,
                "from_status": previous,
                "to_status": step.status,
                "actor_id": step.actor_id,
                "at": step.at,
                "reason": step.reason,
            }
            | extra(step),
        )
        previous = step.status


async def write_follow_up(demo: Demo, t: TicketPlan, ticket_id: str, number: int) -> None:
    by_status = {s.status: s for s in t.steps}
    due = by_status.get(TicketStatus.FOLLOW_UP_DUE)
    if due is None:
        return
    closed = by_status.get(TicketStatus.CLOSED)
    row = demo.record(uid("follow-up", number), due.at, closed.at if closed else None) | {
        "ticket_id": ticket_id,
        "status": FollowUpStatus.DONE if closed else FollowUpStatus.DUE,
        "due_at": due.at + FOLLOW_UP_DELAY,
        "score": None,
        "dissatisfaction": None,
        "comment": "",
        "recorded_by_id": closed.actor_id if closed else None,
        "recorded_at": closed.at if closed else None,
    }
    if closed is not None and t.score is not None:
        row["score"] = t.score
        if t.score >= 4:
            row["comment"] = demo.rng.choice(FOLLOW_UP_PRAISE[t.score])
        else:
            category = demo.rng.choice(tuple(Dissatisfaction))
            row["dissatisfaction"] = category
            row["comment"] = FOLLOW_UP_COMPLAINTS[category]
    await demo.writer.add(FollowUp, row)


async def write_job(demo: Demo, job: JobPlan, number: int, ticket_id: str) -> None:
    job_id = uid("job", number)
    at = {s.status: s.at for s in job.steps}
    last = job.steps[-1]
    await demo.writer.add(
        Job,
        demo.record(job_id, job.steps[0].at, last.at)
        | {
            "number": numbering.format_number(numbering.JOB, number),
            "ticket_id": ticket_id,
            "branch_id": job.branch_id,
            "technician_id": job.tech.id if job.tech else None,
            "status": last.status,
            "appointment_start": job.appointment[0] if job.appointment else None,
            "appointment_end": job.appointment[1] if job.appointment else None,
            "accepted_at": at.get(JobStatus.ACCEPTED),
            "started_travel_at": at.get(JobStatus.EN_ROUTE),
            "arrived_at": at.get(JobStatus.ON_SITE),
            "completed_at": at.get(JobStatus.COMPLETED),
            "status_reason": job.reason,
            "revision": len(job.steps),
        },
    )
    tech_id = job.tech.id if job.tech else None

    def holder(step: Step) -> dict[str, Any]:  # the job's one engineer, once assigned
        return {"technician_id": None if step.status is JobStatus.PENDING else tech_id}

    await write_steps(
        demo,
        JobStatusChange,
        states.JOB_EDGES,
        "job_id",
        job_id,
        f"job-status:{number}",
        job.steps,
        holder,
    )


async def set_counters(demo: Demo, tickets: int, jobs: int) -> None:
    """Live numbering carries on after the last customer, ticket and job number used here."""
    counters = (
        (numbering.CUSTOMER, len(demo.customers)),
        (numbering.TICKET, tickets),
        (numbering.JOB, jobs),
    )
    for (name, _), value in counters:
        result = await demo.session.execute(
            update(CounterRow).where(CounterRow.name == name).values(value=value)
        )
        if not getattr(result, "rowcount", 0):
            await demo.session.execute(insert(CounterRow).values(name=name, value=value))


async def retire_old_defaults(demo: Demo) -> None:
    """A closed move makes the destination the customer's default address."""
    rows = [
        {"id": address_id, "is_default": False, "updated_at": at}
        for address_id, at in sorted(demo.moved_from.items())
    ]
    if rows:  # an ORM bulk update by primary key, in one executemany
        await demo.session.execute(update(Address), rows)
