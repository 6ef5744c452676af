"""Who sees which files of a visit, and the dispatchers' list of overdue evidence
(domain/media/reading.py, policy.attachments_scope).

The customer sees their own signed form and visit photos, the agent its customers', each as
the stripped copy only; nobody else's; the device's history shows them; staff reading an
original are audited.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from tests.api.media_site import COMPLETE, REPAIR, bearer, confirm, request_upload
from tests.conftest import GraphQL, make_settings
from tests.dispatch_site import (
    PASSWORD,
    PLACES,
    Site,
    _session_do,
    add_job,
    add_technician,
    make_branch,
    run,
)
from tests.factories import execute, fetch, scalars, unique
from tests.media_files import has_location, photo, png
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.models.enums import AgentLevel, JobStatus, OwnerKind, Role, TicketType
from wellspring.domain.users import create_user
from wellspring.schema.core.ids import global_id

JOB = """query($id: ID!) { node(id: $id) { ... on Job { attachments {
  kind status url thumbnailUrl } } } }"""
STAFF_JOB = """query($id: ID!) { node(id: $id) { ... on Job { attachments {
  kind status url thumbnailUrl originalUrl } } } }"""
DEVICE_HISTORY = """query($id: ID!) { device(id: $id) { ticketsConnection(first: 5) {
  nodes { jobs { attachments { kind url } } } } } }"""
OVERDUE = """query { evidenceOverdueJobs(first: 50) { nodes { id evidence } } }"""
WATER = {"waterTest": {"tds": 30, "ph": 7.2, "temperature": 18}}


@pytest.fixture(scope="module")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The app with the default evidence rules (a water test needs its meter photo, a repair
    nothing)."""
    settings = make_settings(
        database_url,
        media_root=str(tmp_path_factory.mktemp("media")),
        media_required_evidence={},
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _people(site: Site) -> dict[str, str]:
    """The site's customer with an agent, a stranger customer and a stranger agent."""

    async def work(session: Any) -> dict[str, str]:
        agents = [
            m.Agent(code=unique("A"), name=unique("代理"), level=AgentLevel.CITY_GENERAL,
                    branch_id=site.branch_id)
            for _ in range(2)
        ]  # fmt: skip
        session.add_all(agents)
        await session.flush()
        mine = await session.get(m.Customer, site.customer_id)
        # The agent's customer, as the doors make one (an agent's customer is owned by it).
        mine.agent_id, mine.owner_kind = agents[0].id, OwnerKind.AGENT
        other = m.Customer(code=unique("C"), name="别人", phone="13900000000",
                           branch_id=site.branch_id)  # fmt: skip
        session.add(other)
        await session.flush()
        names = {"agent_id": agents[0].id}
        for who, role, codes in (
            ("customer", Role.CUSTOMER, {"customer_code": mine.code}),
            ("stranger", Role.CUSTOMER, {"customer_code": other.code}),
            ("agent", Role.AGENT, {"agent_code": agents[0].code}),
            ("other_agent", Role.AGENT, {"agent_code": agents[1].code}),
        ):
            names[who] = unique(who.replace("_", ""))
            await create_user(session, SYSTEM, username=names[who], password=PASSWORD,
                              role=role, display_name=names[who], branch_code=site.branch_code,
                              **codes)  # fmt: skip
        return names

    return dict(run(_session_do(site.url, work)))


def _upload(gql: GraphQL, token: str, job: str, data: bytes, kind: str, ctype: str) -> str:
    asked = request_upload(gql, token, job, data, kind=kind, contentType=ctype)
    files = {"file": ("f", data, ctype)}
    fields = json.loads(asked["upload"]["fields"])
    assert gql.client.post(asked["upload"]["url"], data=fields, files=files).status_code == 204
    return str(asked["attachment"]["id"])


def _keys(view: dict[str, Any]) -> set[str]:
    urls = [view[k] for k in ("url", "thumbnailUrl", "originalUrl") if view.get(k)]
    return {parse_qs(urlsplit(u).query)["key"][0].rsplit("/", 1)[1] for u in urls}


def test_each_caller_sees_the_files_of_the_visits_in_their_scope(
    app: TestClient, database_url: str
) -> None:
    gql = GraphQL(app)
    site = make_branch(database_url)
    people = _people(site)
    add_technician(site, "a", home=PLACES["jingan"])
    # A live device of a customer nobody signs in as: the demo logins' devices stay theirs,
    # and another test's soft-deleted device (tests/deleted_rows.py) may sort first by id.
    logins = select(m.User.customer_id).where(m.User.customer_id.is_not(None))
    live = (m.Device.customer_id.not_in(logins), m.Device.deleted_at.is_(None))
    found = select(m.Device.id).where(*live).order_by(m.Device.id)
    device = scalars(database_url, found.limit(1))[0]
    execute(database_url, update(m.Device).where(m.Device.id == device)
            .values(customer_id=site.customer_id, agent_id=people["agent_id"]))  # fmt: skip
    job = add_job(site, "repair", at=PLACES["jingan"], technician="a", kind=TicketType.REPAIR,
                  status=JobStatus.ON_SITE, device_id=device)  # fmt: skip
    engineer = bearer(gql, site.usernames["a"])
    signature = _upload(gql, engineer, job, png(), "SIGNATURE", "image/png")
    form = _upload(gql, engineer, job, photo(), "CONFIRMATION_FORM", "image/jpeg")
    complete = {"input": {"jobId": global_id("Job", job), "report": REPAIR}}
    assert gql.data(COMPLETE, complete, token=engineer)["completeJob"]["errors"] == []
    for attachment in (signature, form):
        assert confirm(gql, engineer, attachment)["attachment"]["status"] == "VERIFIED"
    _upload(gql, engineer, job, photo((40, 30)), "PART_PHOTO", "image/jpeg")  # not confirmed

    def seen(who: str, query: str = JOB) -> Any:
        token = bearer(gql, people.get(who) or who)
        return gql.data(query, {"id": global_id("Job", job)}, token=token)["node"]

    for who in ("customer", "agent"):
        node = seen(who)
        views = {v["kind"]: v for v in node["attachments"]}
        assert set(views) == {"SIGNATURE", "CONFIRMATION_FORM"}  # verified ones only
        for view in views.values():
            assert _keys(view) <= {f"{a}.display" for a in (signature, form)} | {
                f"{a}.thumb" for a in (signature, form)
            }  # the stripped copies only: no URL to an original
        shown = app.get(views["CONFIRMATION_FORM"]["url"])
        assert shown.status_code == 200
        assert not has_location(shown.content)
        history = gql.data(DEVICE_HISTORY, {"id": global_id("Device", device)},
                           token=bearer(gql, people[who]))["device"]  # fmt: skip
        kinds = {a["kind"] for t in history["ticketsConnection"]["nodes"] for j in t["jobs"]
                 for a in j["attachments"]}  # fmt: skip
        assert kinds >= {"SIGNATURE", "CONFIRMATION_FORM"}
    for who in ("stranger", "other_agent"):
        assert seen(who) is None

    assert seen("agent", STAFF_JOB)["attachments"][0]["originalUrl"] is None
    customer_asks = gql.post(STAFF_JOB, {"id": global_id("Job", job)},
                             token=bearer(gql, people["customer"])).json()  # fmt: skip
    assert {e["extensions"]["code"] for e in customer_asks["errors"]} == {"FORBIDDEN"}
    staff = seen(site.clerk, STAFF_JOB)
    assert {v["kind"] for v in staff["attachments"]} == {
        "SIGNATURE", "CONFIRMATION_FORM", "PART_PHOTO"
    }  # fmt: skip
    [original] = [v["originalUrl"] for v in staff["attachments"] if v["kind"] == "SIGNATURE"]
    assert app.get(original).status_code == 200
    audits = select(m.AuditEntry.action, func.count()).where(m.AuditEntry.entity_id == job)
    counts = dict(fetch(database_url, audits.group_by(m.AuditEntry.action)))
    # One original read per file the clerk was shown (both verified), each confirmation once.
    assert (counts["attachment.original_read"], counts["attachment.verified"]) == (2, 2)


def test_the_overdue_list_names_completions_still_waiting_for_their_files(
    app: TestClient, database_url: str
) -> None:
    gql = GraphQL(app)
    site = make_branch(database_url)
    add_technician(site, "a", home=PLACES["jingan"])
    engineer = bearer(gql, site.usernames["a"])
    jobs = []
    for _ in range(2):
        job = add_job(site, "test", at=PLACES["jingan"], technician="a",
                      kind=TicketType.WATER_TEST, status=JobStatus.ON_SITE)  # fmt: skip
        _upload(gql, engineer, job, photo((40, 30)), "WATER_TEST_PHOTO", "image/jpeg")
        complete = {"input": {"jobId": global_id("Job", job), "report": WATER}}
        done = gql.data(COMPLETE, complete, token=engineer)["completeJob"]
        assert done["job"]["evidence"] == "PENDING", done
        jobs.append(job)
    old, recent = jobs
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)
    execute(database_url, update(m.Job).where(m.Job.id == old).values(completed_at=long_ago))
    listed = gql.data(OVERDUE, token=bearer(gql, site.clerk))["evidenceOverdueJobs"]["nodes"]
    ids = {n["id"] for n in listed}
    assert global_id("Job", old) in ids
    assert global_id("Job", recent) not in ids  # completed just now: not overdue yet
    assert all(n["evidence"] == "PENDING" for n in listed)
    engineer_view = gql.client.post(
        "/graphql", json={"query": OVERDUE}, headers={"Authorization": f"Bearer {engineer}"}
    ).json()
    assert engineer_view["errors"][0]["extensions"]["code"] == "FORBIDDEN"
