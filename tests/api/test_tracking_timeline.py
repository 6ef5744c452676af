"""The tracking page's timeline reads in the order things happened: each step carries the
time it happened. APPOINTED carried the window's start (a time ahead), so it sorted after
the engineer setting off; the window is shown apart, as the window."""

from __future__ import annotations

import datetime as dt

from graphql_relay import from_global_id
from sqlalchemy import select

from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.factories import scalars
from tests.tracking_world import customer_one, share, token_of, visit
from wellspring.domain import models as m
from wellspring.domain.models.enums import TicketStatus


def test_each_step_carries_when_it_happened_in_order(gql: GraphQL, database_url: str) -> None:
    o = customer_one(database_url)
    ticket_id, _job = visit(gql, o, upto="StartTravel")
    token = token_of(share(gql, ticket_id)["url"])
    seen = gql.data(doc("TrackVisit"), {"token": token})["trackVisit"]
    at = {s["stage"]: s["at"] for s in seen["steps"]}
    reached = [dt.datetime.fromisoformat(at[s["stage"]]) for s in seen["steps"] if s["reached"]]
    assert len(reached) == 3  # received, appointed, on the way
    assert reached == sorted(reached)
    assert reached[-1] <= dt.datetime.now(dt.UTC)
    # APPOINTED is when the window was agreed (the ticket's history), not the window.
    agreed = scalars(
        database_url,
        select(m.TicketStatusChange.at).where(
            m.TicketStatusChange.ticket_id == from_global_id(ticket_id)[1],
            m.TicketStatusChange.to_status == TicketStatus.APPOINTED,
        ),
    )
    assert dt.datetime.fromisoformat(at["APPOINTED"]) == max(agreed)
    assert at["APPOINTED"] != seen["windowStart"]
    assert dt.datetime.fromisoformat(seen["windowStart"]) > reached[-1]

    # The page's own state: the same order, and the window as the window.
    state = gql.client.get(f"/t/{token}/state?lang=en").json()
    times = [s["time"] for s in state["steps"] if s["reached"]]
    assert None not in times
    assert times == sorted(times)
    assert state["window"].startswith(
        dt.datetime.fromisoformat(seen["windowStart"])
        .astimezone(dt.timezone(dt.timedelta(hours=8)))
        .strftime("%m-%d %H:%M")
    )
