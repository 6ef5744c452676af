"""Several phones and a dispatcher act in random order: every copy converges, and no job's
status moves backwards on the server or on any phone (reliability plan, row 16)."""

from __future__ import annotations

import asyncio
import json
import os
from itertools import pairwise

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from tests.conftest import GraphQL
from tests.dispatch_site import PASSWORD, PLACES, Site, add_job, add_technician, make_branch
from tests.factories import fetch
from tests.sync_phone import Phone
from wellspring.domain import models as m
from wellspring.domain.actor import Actor
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.errors import DomainError
from wellspring.domain.models.enums import JobStatus, Role
from wellspring.domain.workflow import dispatching, states

EXAMPLES = int(os.environ.get("WELLSPRING_SYNC_EXAMPLES", "6"))
STEPS = int(os.environ.get("WELLSPRING_SYNC_STEPS", "25"))
RANK = {"PENDING": 0, "ASSIGNED": 1, "ACCEPTED": 2, "EN_ROUTE": 3, "ON_SITE": 4}
DONE = 5  # COMPLETED, FAILED, CANCELLED
REPORT = json.dumps({"faultSymptom": "不出水", "faultCode": "E02", "repairLevel": "LEVEL_1"})
ACTIONS = ("ACCEPT", "START_TRAVEL", "ARRIVE", "COMPLETE", "FAIL")


def rank(status: str) -> int:
    return RANK.get(status, DONE)


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    s = make_branch(database_url)
    for name in ("e0", "e1", "e2"):
        add_technician(s, name, home=PLACES["people_square"])
    return s


def reassign(url: str, job_id: str, technician_id: str) -> None:
    async def work() -> None:
        engine = create_engine(url)
        try:
            async with transaction(session_factory(engine)) as session:
                hq = (
                    await session.execute(select(m.User).where(m.User.username == "hq"))
                ).scalar_one()
                actor = Actor(user_id=hq.id, username="hq", role=Role.HQ)
                try:
                    async with session.begin_nested():
                        await dispatching.assign_job(
                            session, actor, job_id=job_id, technician_id=technician_id
                        )
                except DomainError:
                    pass  # the job moved on: the dispatcher is told, nothing changes
        finally:
            await engine.dispose()

    asyncio.run(work())


def test_phones_and_a_dispatcher_converge(gql: GraphQL, site: Site, database_url: str) -> None:
    tokens = {}
    for name in ("e0", "e1", "e2"):
        tokens[name] = gql.login(site.usernames[name], PASSWORD)["token"]

    class Machine(RuleBasedStateMachine):
        @initialize()
        def setup(self) -> None:
            self.round = len(site.jobs)
            self.jobs: list[str] = []
            for i, engineer in enumerate(("e0", "e1", "e2", "e0")):
                job = add_job(
                    site,
                    f"c{self.round}-{i}",
                    at=PLACES["jingan"],
                    technician=engineer,
                    status=JobStatus.ASSIGNED,
                )
                self.jobs.append(job)
            # Two phones for e0 (a phone and a tablet), one each for the others.
            self.phones = [
                ("e0", Phone(gql.client, tokens["e0"])),
                ("e0", Phone(gql.client, tokens["e0"])),
                ("e1", Phone(gql.client, tokens["e1"])),
                ("e2", Phone(gql.client, tokens["e2"])),
            ]
            self.seen: dict[tuple[int, str], list[str]] = {}

        def _observe(self, index: int) -> None:
            _, phone = self.phones[index]
            for job_id in self.jobs:
                rec = phone.local.get("jobs", {}).get(job_id)
                if rec is not None:
                    self.seen.setdefault((index, job_id), []).append(rec["status"])

        @rule(index=st.integers(0, 3))
        def pull(self, index: int) -> None:
            self.phones[index][1].pull()
            self._observe(index)

        @rule(index=st.integers(0, 3))
        def push(self, index: int) -> None:
            phone = self.phones[index][1]
            if phone.cursor is not None and any(phone.pending.values()):
                phone.push()

        @rule(index=st.integers(0, 3), job=st.integers(0, 3), action=st.sampled_from(ACTIONS))
        def act(self, index: int, job: int, action: str) -> None:
            phone = self.phones[index][1]
            job_id = self.jobs[job]
            if job_id not in phone.local.get("jobs", {}):
                return  # the phone can only act on jobs it holds
            phone.create(
                "job_events",
                {
                    "job_id": job_id,
                    "action": action,
                    "reason": "客户不在" if action == "FAIL" else None,
                    "report_json": REPORT if action == "COMPLETE" else None,
                    "recorded_at": 1_700_000_000_000 + len(phone.pending.get("job_events", {})),
                },
            )

        @rule(index=st.integers(0, 3), job=st.integers(0, 3))
        def note(self, index: int, job: int) -> None:
            phone = self.phones[index][1]
            if self.jobs[job] in phone.local.get("jobs", {}):
                phone.create(
                    "job_notes",
                    {"job_id": self.jobs[job], "body": "备注", "recorded_at": 1_700_000_000_000},
                )

        @rule(job=st.integers(0, 3), engineer=st.sampled_from(("e0", "e1", "e2")))
        def dispatcher_reassigns(self, job: int, engineer: str) -> None:
            status = fetch(database_url, select(m.Job.status).where(m.Job.id == self.jobs[job]))[0][
                0
            ]
            if status is JobStatus.ASSIGNED:  # before the engineer accepts
                reassign(database_url, self.jobs[job], site.techs[engineer])

        @invariant()
        def statuses_never_move_backwards_on_a_phone(self) -> None:
            for (index, job_id), seen in self.seen.items():
                ranks = [rank(s) for s in seen]
                for before, after in pairwise(ranks):
                    # A reassignment back to an earlier engineer shows ASSIGNED again only
                    # from ASSIGNED; anything else going down is a bug.
                    assert after >= before or (before, after) == (1, 1), (index, job_id, seen)

        def teardown(self) -> None:
            if not hasattr(self, "phones"):
                return
            # Everyone syncs until quiet: push what is pending, pull what changed.
            for _ in range(2):
                for _, phone in self.phones:
                    phone.pull()
                    if any(phone.pending.values()):
                        phone.push()
                    phone.pull()
            statuses = dict(
                fetch(database_url, select(m.Job.id, m.Job.status).where(m.Job.id.in_(self.jobs)))
            )
            owners = dict(
                fetch(
                    database_url,
                    select(m.Job.id, m.Job.technician_id).where(m.Job.id.in_(self.jobs)),
                )
            )
            for engineer, phone in self.phones:
                held = {j for j in phone.local.get("jobs", {}) if j in statuses}
                mine = {j for j, owner in owners.items() if owner == site.techs[engineer]}
                assert held == mine, (engineer, held, mine)
                for job_id in held:
                    assert phone.local["jobs"][job_id]["status"] == statuses[job_id].value
            # The server's histories follow the state machine, edge by edge.
            rows = fetch(
                database_url,
                select(
                    m.JobStatusChange.job_id,
                    m.JobStatusChange.from_status,
                    m.JobStatusChange.to_status,
                )
                .where(m.JobStatusChange.job_id.in_(self.jobs))
                .order_by(m.JobStatusChange.job_id, m.JobStatusChange.at, m.JobStatusChange.id),
            )
            for _, before, after in rows:
                edge = (before.value if before else None, after.value)
                assert edge in states.JOB_EDGES, edge
                if before is not None and edge != ("ASSIGNED", "ASSIGNED"):
                    assert rank(after.value) >= rank(before.value), edge

    run_state_machine_as_test(
        Machine,
        # No shrinking: every step talks to the database, and the failing run is printed whole.
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            phases=(Phase.explicit, Phase.reuse, Phase.generate),
        ),
    )
