"""The branch the sync tests share: two engineers, their jobs and a van, and their phones."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import GraphQL
from tests.dispatch_site import (
    PLACES,
    Site,
    add_job,
    add_technician,
    any_part,
    live_device,
    make_branch,
    signed_in,
    stock_van,
)
from tests.factories import scalars
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.models.enums import JobStatus, TicketType


def sync_branch(database_url: str) -> Site:
    """A branch with engineers a and b: four assigned jobs and one on site for a, one for b,
    and a van stocked for a."""
    s = make_branch(database_url)
    add_technician(s, "a", home=PLACES["people_square"])
    add_technician(s, "b", home=PLACES["xujiahui"])
    device = live_device(database_url)
    for name, tech in (("a1", "a"), ("a2", "a"), ("a3", "a"), ("b1", "b")):
        add_job(
            s,
            name,
            at=PLACES["jingan"],
            technician=tech,
            status=JobStatus.ASSIGNED,
            device_id=device,
            kind=TicketType.REPAIR,
        )
    add_job(
        s, "a4", at=PLACES["jingan"], technician="a", status=JobStatus.ON_SITE, device_id=device
    )
    stock_van(s, "a", any_part(database_url), 3)
    return s


def sync_phone(gql: GraphQL, site: Site, who: str) -> Phone:
    return Phone(gql.client, gql.token(signed_in(gql, site.usernames[who])))


# What a push may write: the tables the sync tests count before and after one.
PUSHED_TABLES = (m.JobEvent, m.JobNote, m.JobStatusChange, m.StockEntry, m.WaterTest, m.AuditEntry)


def table_counts(url: str) -> dict[str, int]:
    return {
        model.__tablename__: scalars(url, select(func.count()).select_from(model))[0]
        for model in PUSHED_TABLES
    }
