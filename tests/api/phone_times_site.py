"""What the phone-time tests share (``test_phone_times.py``, ``test_system_opened_tickets.py``):
times as the phone writes them, a job's history moved back, and the moves and reads through
the client documents as an engineer or the branch's clerk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.dispatch_site import Site, _session_do, run, signed_in
from tests.factories import scalars
from wellspring.domain import models as m
from wellspring.domain.models.enums import DeviceStatus, JobStatus, TicketStatus, TicketType
from wellspring.schema.core.ids import global_id

H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
REPAIR = {"faultSymptom": "不出水", "faultCode": "E02", "repairLevel": "LEVEL_1"}
FAILING_WATER = {"tds": 320.0, "ph": 7.1}


def ms(value: dt.datetime) -> int:
    return int(value.timestamp() * 1000)


def from_ms(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value / 1000, dt.UTC)


def fresh_devices(url: str, n: int) -> list[str]:
    """Installed devices no filter-change ticket was ever opened for."""
    changed = select(m.Ticket.device_id).where(
        m.Ticket.type == TicketType.FILTER_CHANGE, m.Ticket.device_id.is_not(None)
    )
    return scalars(
        url,
        select(m.Device.id)
        .where(m.Device.status == DeviceStatus.INSTALLED, m.Device.id.not_in(changed))
        .order_by(m.Device.id.desc())
        .limit(n),
    )


def age(site: Site, name: str, delta: dt.timedelta) -> None:
    """Move the job's and its ticket's past back by ``delta`` (assigned long ago)."""
    job_id = site.jobs[name]

    async def work(session: Any) -> None:
        job = await session.get(m.Job, job_id)
        histories = (
            select(m.JobStatusChange).where(m.JobStatusChange.job_id == job_id),
            select(m.TicketStatusChange).where(m.TicketStatusChange.ticket_id == job.ticket_id),
        )
        for history in histories:
            for row in (await session.execute(history)).scalars():
                row.at = row.at - delta
                row.received_at = row.received_at - delta

    run(_session_do(site.url, work))


def ticket_of(site: Site, name: str) -> str:
    return str(scalars(site.url, select(m.Job.ticket_id).where(m.Job.id == site.jobs[name]))[0])


def job_steps(url: str, job_id: str) -> dict[JobStatus, m.JobStatusChange]:
    rows = scalars(url, select(m.JobStatusChange).where(m.JobStatusChange.job_id == job_id))
    return {row.to_status: row for row in rows}


def ticket_steps(url: str, ticket_id: str) -> dict[TicketStatus, m.TicketStatusChange]:
    rows = scalars(
        url, select(m.TicketStatusChange).where(m.TicketStatusChange.ticket_id == ticket_id)
    )
    return {row.to_status: row for row in rows}


def engineer(gql: GraphQL, site: Site) -> str:
    return gql.token(signed_in(gql, site.usernames["t"]))


def clerk(gql: GraphQL, site: Site) -> str:
    return gql.token(signed_in(gql, site.clerk))


def move(
    gql: GraphQL, site: Site, name: str, variables: dict[str, Any], *, who: str = "t"
) -> dict[str, Any]:
    token = engineer(gql, site) if who == "t" else clerk(gql, site)
    data = gql.data(doc(name), variables, token=token)
    result = next(iter(data.values()))
    assert result["errors"] == [], result["errors"]
    return result


def ticket_view(gql: GraphQL, site: Site, ticket_id: str, locale: str = "en") -> dict[str, Any]:
    response = gql.post(
        doc("Ticket"),
        {"id": global_id("Ticket", ticket_id)},
        token=clerk(gql, site),
        locale=locale,
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["ticket"]
