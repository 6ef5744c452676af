"""A filter change's completion queued offline and sent through GraphQL (``completedAt``),
naming a stage HQ retired since (docs/api.md, CompleteJob; docs/sync.md, "filter_types").

The same completion through the sync push was taken, counting for no live stage, but the
queued mutation was refused FILTER_NOT_OF_MODEL: the visit was lost. Now a completedAt older
than the clock slack marks the call as queued offline and it is taken as the push's; one
sent at once (no completedAt, or one within the slack) is still refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tests.api.test_sync_filter_types import World, _drop_stage_2, _filters_due, world
from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.dispatch_site import PASSWORD
from tests.factories import scalars
from wellspring.domain import models as m
from wellspring.domain.models.enums import JobStatus
from wellspring.schema.core.ids import global_id

__all__ = ["world"]  # the fixture, shared with test_sync_filter_types


def _complete(gql: GraphQL, token: str, job: str, filters: list[str], **extra: Any) -> Any:
    variables = {
        "input": {
            "id": global_id("Job", job),
            "report": {"filtersChanged": [global_id("FilterType", f) for f in filters]},
            **extra,
        }
    }
    return gql.data(doc("CompleteJob"), variables, token=token)["completeJob"]


def _ago(minutes: float) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)).isoformat()


def test_a_queued_completion_naming_a_retired_stage_is_taken_as_a_pushed_one(
    gql: GraphQL, world: World, database_url: str
) -> None:
    w = world
    dropped = _drop_stage_2(gql, w)
    before = _filters_due(gql, w.devices["A"])
    token = gql.login(w.site.usernames["me"], PASSWORD)["token"]
    job = w.site.jobs["fa2"]
    # Sent at once (no completedAt, or one within the clock slack): the list is stale.
    for extra in ({}, {"completedAt": _ago(1)}):
        answer = _complete(gql, token, job, [dropped], **extra)
        assert [(e["code"], e["field"]) for e in answer["errors"]] == [
            ("FILTER_NOT_OF_MODEL", "report.filtersChanged")
        ]
    assert scalars(database_url, select(m.Job.status).where(m.Job.id == job)) == [JobStatus.ON_SITE]
    # Queued offline an hour ago: taken, the change kept and audited, no live stage reset.
    assert _complete(gql, token, job, [dropped], completedAt=_ago(60))["errors"] == []
    assert scalars(database_url, select(m.Job.status).where(m.Job.id == job)) == [
        JobStatus.COMPLETED
    ]
    changes = scalars(
        database_url, select(m.FilterChange.filter_type_id).where(m.FilterChange.job_id == job)
    )
    assert changes == [dropped]
    assert _filters_due(gql, w.devices["A"]) == before
    [detail] = scalars(
        database_url,
        select(m.AuditEntry.detail).where(
            m.AuditEntry.action == "filters.changed", m.AuditEntry.entity_id == w.devices["A"]
        ),
    )
    assert detail["retired_filter_type_ids"] == [dropped]
