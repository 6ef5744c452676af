"""The dispatcher's Jobs list reads the columns its selection shows, as the Tickets list does
(``test_page_columns.py``): its ticket, branch and engineer are relations it joins, and
``overdue`` names what it reads, of the job and of its ticket (the due time), so that the
page answers it without a lookup per page and without the job's documents. The Technicians
page reads its engineers' jobs today the same way, and an engineer's MyJobs its jobs with
their tickets, customers, addresses and devices in one statement."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.seen import count_statements, doc
from tests.api.stock_world import part
from tests.api.workflow_steps import appoint, ids, open_repair
from tests.conftest import GraphQL
from wellspring.domain import joined
from wellspring.schema import build_schema
from wellspring.schema.core.read_columns import page_columns
from wellspring.schema.tickets.job_pages import job_tree
from wellspring.schema.tickets.types import JOB_RELATIONS

SCHEMA = build_schema().graphql_schema
# The nodes' selection of clients/dispatcher/Jobs.graphql.
JOBS_NODES: dict[str, Any] = {
    **{name: {} for name in ("id", "number", "status", "overdue", "appointmentStart")},
    **{name: {} for name in ("appointmentEnd", "plannedArrival", "technicianName")},
    "branch": {"id": {}, "code": {}},
    "ticket": {
        **{name: {} for name in ("id", "number", "type", "dueAt")},
        "customer": {"id": {}, "name": {}},
    },
}
JOB_ALONE = """query($id: ID!) { node(id: $id) { ... on Job {
  id number status overdue appointmentStart appointmentEnd plannedArrival technicianName
  branch { id code } ticket { id number type dueAt customer { id name } }
} } }"""


def test_the_jobs_document_reads_the_columns_it_shows() -> None:
    nodes = job_tree(JOBS_NODES)
    relations = joined.selected(JOB_RELATIONS, nodes)
    assert page_columns(SCHEMA, "Job", relations, nodes) == {
        (): frozenset(
            {"id", "number", "status", "appointment_start", "appointment_end"}
            | {"planned_arrival", "technician_id", "branch_id", "ticket_id"}
        ),
        ("branch",): frozenset({"id", "code"}),
        ("ticket",): frozenset({"id", "number", "type", "due_at", "customer_id"}),
        ("ticket", "customer"): frozenset({"id", "name"}),
    }


def test_overdue_alone_reads_its_tickets_due_time() -> None:
    nodes = job_tree({"id": {}, "overdue": {}})
    relations = joined.selected(JOB_RELATIONS, nodes)
    assert page_columns(SCHEMA, "Job", relations, nodes) == {
        (): frozenset({"id", "status", "appointment_end", "ticket_id"}),
        ("ticket",): frozenset({"due_at"}),
    }


@pytest.mark.parametrize("persona", ["hq", "clerk-sh"])
def test_the_jobs_page_reads_no_document_and_answers_as_each_job_alone(
    gql: GraphQL, client: TestClient, persona: str
) -> None:
    token = gql.token(persona)
    gql.data("query Me { me { id } }", token=token)
    with count_statements(client) as seen:
        data = gql.data(doc("Jobs"), {"first": 30}, token=token)
    selects = [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    (page,) = [s for s in selects if "FROM jobs" in s and "LIMIT" in s]
    for shown in ("jobs.number", "tickets.due_at", "customers.name", "branches.code"):
        assert shown in page
    for hidden in ("jobs.report", "tickets.details", "customers.note", "custom_fields"):
        assert hidden not in page
    assert len(selects) == 3, selects  # the session, the page with its count, the names
    assert data["jobs"]["edges"]
    for late in (True, False):  # each value of overdue, as the list's own filter finds it
        page = gql.data(doc("Jobs"), {"first": 15, "filter": {"overdue": late}}, token=token)
        nodes = [e["node"] for e in page["jobs"]["edges"]]
        assert nodes, late
        assert {n["overdue"] for n in nodes} == {late}
        for node in nodes:
            assert gql.data(JOB_ALONE, {"id": node["id"]}, token=token)["node"] == node


JOB_TODAY_ALONE = """query($id: ID!) { node(id: $id) { ... on Job {
  id number status appointmentStart } } }"""
WIDER_DAY = """query { technicians(first: 50) { nodes { id
  jobsToday { id number ticket { id number } expectedParts { quantity } } } } }"""


def test_the_technicians_page_reads_its_jobs_today_as_columns(
    gql: GraphQL, client: TestClient
) -> None:
    token = gql.token("clerk-sh")
    gql.data("query Me { me { id } }", token=token)
    with count_statements(client) as seen:
        data = gql.data(doc("Technicians"), {"first": 50}, token=token)
    (day,) = [s for s in seen if "FROM jobs" in s and "technician_id IN" in s]
    assert "jobs.number" in day
    assert "jobs.report" not in day
    jobs = [j for e in data["technicians"]["edges"] for j in e["node"]["jobsToday"]]
    assert jobs, "the demo's branch has work today"
    for job in jobs:
        assert gql.data(JOB_TODAY_ALONE, {"id": job["id"]}, token=token)["node"] == job
    # expectedParts reads its ticket's details by id (the day reads no ticket): answered.
    wider = gql.post(WIDER_DAY, token=token).json()
    assert "errors" not in wider, wider
    ids = [j["id"] for n in wider["data"]["technicians"]["nodes"] for j in n["jobsToday"]]
    assert set(ids) >= {j["id"] for j in jobs}


# The nodes' selection of clients/engineer/MyJobs.graphql.
MY_JOBS_NODES: dict[str, Any] = {
    **{name: {} for name in ("id", "number", "status", "revision", "appointmentStart")},
    **{name: {} for name in ("appointmentEnd", "routePosition", "plannedArrival", "eta")},
    "expectedParts": {"part": {"id": {}, "sku": {}, "name": {}}, "quantity": {}, "inVan": {}},
    "ticket": {
        **{name: {} for name in ("id", "number", "type", "priority", "description")},
        "customer": {"id": {}, "name": {}, "phone": {}},
        "address": {"fullText": {}, "latitude": {}, "longitude": {}},
        "device": {"id": {}, "serialNumber": {}, "model": {"code": {}, "name": {}}},
    },
}
MY_JOB_ALONE = """query($id: ID!) { node(id: $id) { ... on Job {
  id number status revision appointmentStart appointmentEnd routePosition plannedArrival eta
  expectedParts { part { id sku name } quantity inVan }
  ticket { id number type priority description customer { id name phone }
    address { fullText latitude longitude } device { id serialNumber model { code name } } }
} } }"""


def test_the_my_jobs_document_reads_the_columns_it_shows() -> None:
    nodes = job_tree(MY_JOBS_NODES)
    relations = joined.selected(JOB_RELATIONS, nodes)
    address = frozenset({"province", "city", "district", "street", "community", "building"})
    assert page_columns(SCHEMA, "Job", relations, nodes) == {
        (): frozenset(
            {"id", "number", "status", "revision", "appointment_start", "appointment_end"}
            | {"route_position", "planned_arrival", "eta", "technician_id", "ticket_id"}
        ),
        ("ticket",): frozenset(
            {"id", "number", "type", "priority", "description", "details"}
            | {"customer_id", "address_id", "device_id"}
        ),
        ("ticket", "customer"): frozenset({"id", "name", "phone"}),
        ("ticket", "address"): address | {"room", "latitude", "longitude"},
        ("ticket", "device"): frozenset({"id", "serial_number", "device_model_id"}),
        ("ticket", "device", "model"): frozenset({"code", "name"}),
    }


def test_my_jobs_reads_its_jobs_in_one_statement_and_answers_as_each_job_alone(
    gql: GraphQL, client: TestClient, database_url: str
) -> None:
    o = ids(database_url)
    wanted = [{"partId": part(database_url, "RO-400"), "quantity": 2}]
    ticket = open_repair(gql, o, expectedParts=wanted)
    job_id, _start = appoint(gql, o, ticket["id"])
    token = gql.token("tech-sh-1")
    gql.data("query Me { me { id } }", token=token)
    with count_statements(client) as seen:
        mine = gql.data(doc("MyJobs"), {}, token=token)["myJobs"]
    selects = [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    (listed,) = [s for s in selects if "FROM jobs" in s and "jobs.technician_id =" in s]
    for shown in ("jobs.number", "tickets.details", "customers.phone", "device_models.code"):
        assert shown in listed
    for hidden in ("jobs.report", "tickets.custom_fields", "customers.note", "addresses.label"):
        assert hidden not in listed
    # The session, the list, the van and the expected parts: none per job.
    assert len(selects) <= 4, selects
    assert job_id in {j["id"] for j in mine}
    ours = next(j for j in mine if j["id"] == job_id)
    assert [(p["part"]["sku"], p["quantity"]) for p in ours["expectedParts"]] == [("RO-400", 2)]
    for job in mine:
        assert gql.data(MY_JOB_ALONE, {"id": job["id"]}, token=token)["node"] == job
