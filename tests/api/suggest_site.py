"""The branch SuggestTechnicians is asked about in its tests: engineers near and far, skilled
or not, stocked, busy and off, and the jobs they are weighed for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.api.seen import doc
from tests.conftest import GraphQL
from tests.dispatch_site import (
    PLACES,
    Site,
    add_job,
    add_technician,
    any_part,
    local,
    make_branch,
    stock_van,
)
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.models.enums import JobStatus, TicketType
from wellspring.schema.core.ids import global_id

T = TicketType


def suggest(
    gql: GraphQL, job_id: str, limit: int | None = None, user: str = "hq"
) -> dict[str, Any]:
    variables: dict[str, Any] = {"jobId": global_id("Job", job_id)}
    if limit is not None:
        variables["limit"] = limit
    return gql.data(doc("SuggestTechnicians"), variables, as_user=user)["suggestTechnicians"]


def suggest_branch(database_url: str) -> Site:
    """The branch: each test module makes its own (a module-scoped fixture)."""
    s = make_branch(database_url)
    near = (31.2330, 121.4750)  # a few hundred metres from People's Square
    add_technician(s, "near", home=near, skills=[T.REPAIR])
    add_technician(s, "stocked", home=PLACES["jingan"], skills=[T.REPAIR])
    add_technician(s, "far", home=PLACES["minhang"], skills=[T.REPAIR])
    add_technician(s, "unskilled", home=near, skills=[T.INSTALL])
    add_technician(s, "busy", home=(31.2320, 121.4740), skills=[T.REPAIR])
    add_technician(s, "offday", home=(31.2318, 121.4728), skills=[T.REPAIR], work_days=[])
    # 300 km away (Hangzhou is ~170): past the search rings, never read.
    add_technician(s, "remote", home=(29.87, 119.0), skills=[T.REPAIR])
    tomorrow = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    part = any_part(database_url)
    stock_van(s, "stocked", part, 5)
    stock_van(s, "near", part, 0)
    window = (local(tomorrow, 10), local(tomorrow, 12))
    add_job(
        s,
        "repair",
        at=PLACES["people_square"],
        kind=T.REPAIR,
        window=window,
        details={"expected_parts": [{"part_id": part, "quantity": 2}]},
    )
    for i in range(3):
        add_job(
            s,
            f"load{i}",
            at=PLACES["huangpu"],
            technician="busy",
            status=JobStatus.ASSIGNED,
            window=window,
        )
    add_job(s, "nowhere", at=None, city="不存在市", district="不存在区")
    return s
