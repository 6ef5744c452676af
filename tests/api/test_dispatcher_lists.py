"""The dispatcher's lists: Technicians, Jobs, AccountCards, MachinesInStock.

Scoped like everything else, paged with keyset cursors, and a page costs the same number of
statements whatever its size (no N+1).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.master_data_calls import branch_id
from tests.api.seen import count_statements
from tests.api.workflow_steps import doc, ids, ok, open_repair, payload, to_assigned, window
from tests.conftest import GraphQL
from tests.factories import unique
from wellspring.domain.config import TIME_ZONE as SHANGHAI
from wellspring.domain.dispatch.board import DayStatus, day_status
from wellspring.domain.models import Technician
from wellspring.domain.models.enums import JobStatus


def walk(gql: GraphQL, name: str, variables: dict[str, Any], user: str) -> list[dict[str, Any]]:
    """Every node of a connection, page by page."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = gql.data(doc(name), {**variables, "after": after}, as_user=user)
        page = next(iter(data.values()))
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert len(nodes) == page["totalCount"]
            return nodes
        after = page["pageInfo"]["endCursor"]


def test_a_clerk_lists_their_branch_engineers_with_their_day(
    gql: GraphQL, database_url: str
) -> None:
    mine = walk(gql, "Technicians", {"first": 1}, "clerk-sh")
    assert len(mine) == len({t["id"] for t in mine}) > 1
    assert {t["branch"]["code"] for t in mine} == {"SH"}
    every = walk(gql, "Technicians", {"first": 50}, "hotline")
    assert {t["branch"]["code"] for t in every} > {"SH", "BJ"}
    only_bj = walk(
        gql, "Technicians", {"first": 50, "branchId": branch_id(database_url, "BJ")}, "hq"
    )
    assert {t["branch"]["code"] for t in only_bj} == {"BJ"}
    for tech in mine:
        assert tech["statusToday"] in {s.value for s in DayStatus}
        today = dt.datetime.now(SHANGHAI).date().isoformat()
        for job in tech["jobsToday"]:
            assert job["appointmentStart"] is None or job["appointmentStart"][:10] == today
    name = mine[0]["displayName"]
    found = walk(gql, "Technicians", {"first": 10, "search": name}, "clerk-sh")
    assert mine[0]["id"] in {t["id"] for t in found}
    denied = gql.post(doc("Technicians"), {}, as_user="tech-sh-1").json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_an_engineer_off_the_rota_is_off_shift_and_work_in_hand_shows(
    gql: GraphQL, database_url: str
) -> None:
    username = unique("rest")
    created = ok(
        payload(
            gql,
            "UpsertTechnician",
            {
                "input": {
                    "username": username,
                    "password": "password-123",
                    "displayName": f"休息 {username}",
                    "branchId": branch_id(database_url, "SH"),
                    "workDays": [],
                }
            },
            "hq",
        )
    )
    # An empty rota is kept as given (it was once read as "not given": the default days).
    assert created["technician"]["workDays"] == []
    found = walk(gql, "Technicians", {"first": 10, "search": username}, "clerk-sh")
    assert [(t["statusToday"], t["jobsToday"]) for t in found] == [("OFF_SHIFT", [])]
    off = {"input": {"id": found[0]["id"], "isActive": False}}
    ok(payload(gql, "UpsertTechnician", off, "hq"))  # keep the shared branch as it was
    assert walk(gql, "Technicians", {"first": 10, "search": username}, "clerk-sh") == []

    # A job travelled to shows as EN_ROUTE, whatever the shift says.
    # The engineer is one of the test's own: a shared one's job left on site by another test
    # would read ON_JOB here.
    busy = unique("busy")
    engineer = ok(
        payload(
            gql,
            "UpsertTechnician",
            {
                "input": {
                    "username": busy,
                    "password": "password-123",
                    "displayName": f"在途 {busy}",
                    "branchId": branch_id(database_url, "SH"),
                    "skills": ["REPAIR"],
                    "workDays": [],
                }
            },
            "hq",
        )
    )["technician"]
    gql.sign_in(busy, "password-123")
    ticket_id, job_id = to_assigned(gql, {**ids(database_url), "busy": engineer["id"]}, "busy")
    ok(payload(gql, "AcceptJob", {"id": job_id}, busy))
    ok(payload(gql, "StartTravel", {"id": job_id}, busy))
    techs = walk(gql, "Technicians", {"first": 10, "search": busy}, "clerk-sh")
    assert [t["statusToday"] for t in techs] == ["EN_ROUTE"]
    ok(payload(gql, "ArriveOnSite", {"id": job_id}, busy))
    techs = walk(gql, "Technicians", {"first": 10, "search": busy}, "clerk-sh")
    assert [t["statusToday"] for t in techs] == ["ON_JOB"]
    ok(payload(gql, "CancelTicket", {"id": ticket_id, "reason": "test"}, "hq"))
    off = {"input": {"id": engineer["id"], "isActive": False}}
    ok(payload(gql, "UpsertTechnician", off, "hq"))


@pytest.mark.parametrize(
    ("weekday_hour", "statuses", "expected"),
    [
        ((1, 10), set(), DayStatus.FREE),
        ((1, 7), set(), DayStatus.OFF_SHIFT),  # before the shift
        ((1, 18), set(), DayStatus.OFF_SHIFT),  # after it
        ((7, 10), set(), DayStatus.OFF_SHIFT),  # Sunday is not a working day
        ((7, 10), {JobStatus.EN_ROUTE}, DayStatus.EN_ROUTE),
        ((1, 10), {JobStatus.EN_ROUTE, JobStatus.ON_SITE}, DayStatus.ON_JOB),
        ((1, 10), {JobStatus.ASSIGNED}, DayStatus.FREE),
    ],
)
def test_day_status_rule(
    weekday_hour: tuple[int, int], statuses: set[JobStatus], expected: DayStatus
) -> None:
    tech = Technician(
        shift_start=dt.time(8, 30), shift_end=dt.time(17, 30), work_days=[1, 2, 3, 4, 5, 6]
    )
    weekday, hour = weekday_hour
    monday = dt.date(2026, 11, 30)  # a Monday
    local = dt.datetime.combine(
        monday + dt.timedelta(days=weekday - 1), dt.time(hour), tzinfo=SHANGHAI
    )
    assert day_status(tech, statuses, local.astimezone(dt.UTC)) is expected


def test_jobs_by_date_engineer_state_and_lateness(gql: GraphQL, database_url: str) -> None:
    o = ids(database_url)
    ticket_id, job_id = to_assigned(gql, o)
    tomorrow = (dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)).isoformat()
    on_day = walk(
        gql, "Jobs", {"first": 50, "filter": {"dateFrom": tomorrow, "dateTo": tomorrow}}, "clerk-sh"
    )
    assert job_id in {j["id"] for j in on_day}
    assert all(j["appointmentStart"][:10] == tomorrow for j in on_day if not j["plannedArrival"])
    by_tech = walk(
        gql, "Jobs", {"first": 50, "filter": {"technicianId": o["tech-sh-1"]}}, "clerk-sh"
    )
    assert job_id in {j["id"] for j in by_tech}
    # A job dispatched to SH and not assigned yet, so the unassigned filter has one to show.
    waiting = open_repair(gql, o)
    ok(payload(gql, "ApproveTicket", {"id": waiting["id"]}, "hotline"))
    waiting_job = ok(
        payload(gql, "DispatchTicket", {"id": waiting["id"], "branchId": o["SH"]}, "clerk-sh")
    )["job"]["id"]
    pending = walk(gql, "Jobs", {"first": 50, "filter": {"unassigned": True}}, "clerk-sh")
    assert waiting_job in {j["id"] for j in pending}
    assert job_id not in {j["id"] for j in pending}
    assert all(j["technicianName"] is None for j in pending)
    assert all(j["branch"]["code"] == "SH" for j in pending)
    assigned = walk(gql, "Jobs", {"first": 50, "filter": {"status": ["ASSIGNED"]}}, "hq")
    assert assigned
    assert all(j["status"] == "ASSIGNED" for j in assigned)
    now = dt.datetime.now(dt.UTC)

    def before_now(value: str | None) -> bool:
        # Times come with the Shanghai offset: compare instants, never strings.
        return value is not None and dt.datetime.fromisoformat(value) < now

    late = walk(gql, "Jobs", {"first": 100, "filter": {"overdue": True}}, "hq")
    assert late, "the demo data has overdue jobs"
    for job in late:
        assert job["overdue"] is True
        window_over = before_now(job["appointmentEnd"])
        assert before_now(job["ticket"]["dueAt"]) or window_over, job
        assert job["status"] not in ("COMPLETED", "FAILED", "CANCELLED")
    every = gql.data(doc("Jobs"), {"first": 1}, as_user="hq")["jobs"]["totalCount"]
    on_time = gql.data(doc("Jobs"), {"first": 100, "filter": {"overdue": False}}, as_user="hq")
    assert len(late) + on_time["jobs"]["totalCount"] == every
    assert on_time["jobs"]["edges"]
    assert not any(e["node"]["overdue"] for e in on_time["jobs"]["edges"])
    sh = walk(gql, "Jobs", {"first": 100, "filter": {"branchId": o["SH"]}}, "hotline")
    assert {j["branch"]["code"] for j in sh} == {"SH"}
    bj_clerk = walk(gql, "Jobs", {"first": 100, "filter": {"branchId": o["SH"]}}, "clerk-bj")
    assert bj_clerk == []  # another branch's jobs do not exist for them
    for opened in (ticket_id, waiting["id"]):
        ok(payload(gql, "CancelTicket", {"id": opened, "reason": "test"}, "hq"))


def test_unassigned_jobs_are_open_work_waiting_for_an_engineer(
    gql: GraphQL, database_url: str
) -> None:
    """A job cancelled before anyone took it has no engineer either, but is no work to hand
    out: ``unassigned: true`` left it in the list."""
    o = ids(database_url)
    jobs = []
    for _ in range(2):
        opened = open_repair(gql, o)
        ok(payload(gql, "ApproveTicket", {"id": opened["id"]}, "hotline"))
        dispatched = payload(
            gql, "DispatchTicket", {"id": opened["id"], "branchId": o["SH"]}, "clerk-sh"
        )
        jobs.append((opened["id"], ok(dispatched)["job"]["id"]))
    (cancelled_ticket, cancelled_job), (waiting_ticket, waiting_job) = jobs
    ok(payload(gql, "CancelTicket", {"id": cancelled_ticket, "reason": "test"}, "hq"))
    every = {j["id"]: j for j in walk(gql, "Jobs", {"first": 100}, "clerk-sh")}
    assert every[cancelled_job]["status"] == "CANCELLED"
    assert every[cancelled_job]["technicianName"] is None

    def listed(unassigned: bool) -> list[dict[str, Any]]:
        return walk(gql, "Jobs", {"first": 100, "filter": {"unassigned": unassigned}}, "clerk-sh")

    pending = listed(True)
    assert waiting_job in {j["id"] for j in pending}
    assert cancelled_job not in {j["id"] for j in pending}
    assert {j["status"] for j in pending} == {"PENDING"}
    assert all(j["technicianName"] is None for j in pending)
    assigned = listed(False)
    assert all(j["technicianName"] is not None for j in assigned)
    assert not {waiting_job, cancelled_job} & {j["id"] for j in assigned}
    # Given an engineer, the waiting job moves from one list to the other.
    start, end = window()
    taken = {"jobId": waiting_job, "technicianId": o["tech-sh-1"]}
    taken |= {"appointmentStart": start, "appointmentEnd": end}
    ok(payload(gql, "AssignJob", taken, "clerk-sh"))
    assert waiting_job not in {j["id"] for j in listed(True)}
    assert waiting_job in {j["id"] for j in listed(False)}
    ok(payload(gql, "CancelTicket", {"id": waiting_ticket, "reason": "test"}, "hq"))


def _station(gql: GraphQL, database_url: str, branch: str) -> str:
    made = payload(
        gql,
        "UpsertWarehouse",
        {
            "input": {
                # A repair center coded after "WH-": uninstalls pick a branch's first station.
                "code": unique("XS"),
                "name": "站",
                "kind": "REPAIR_CENTER",
                "branchId": branch_id(database_url, branch),
            }
        },
        "hq",
    )
    return str(ok(made)["warehouse"]["id"])


def test_spare_cards_by_warehouse_and_one_card_by_number(gql: GraphQL, database_url: str) -> None:
    station = _station(gql, database_url, "BJ")
    base = 9_500_000_000 + int(unique("n").split("-")[1], 16) % 10**8
    variables = {"warehouseId": station, "fromNumber": str(base), "toNumber": str(base + 6)}
    ok(payload(gql, "ReceiveCards", {"input": variables}, "hq"))
    spare = walk(gql, "AccountCards", {"first": 3, "filter": {"warehouseId": station}}, "clerk-bj")
    assert [c["cardNumber"] for c in spare] == [str(base + i) for i in range(7)]
    assert {(c["status"], c["warehouse"]["id"]) for c in spare} == {("IN_STOCK", station)}
    one = walk(gql, "AccountCards", {"filter": {"cardNumber": str(base + 2)}}, "hotline")
    assert [c["cardNumber"] for c in one] == [str(base + 2)]
    elsewhere = walk(gql, "AccountCards", {"filter": {"warehouseId": station}}, "clerk-sh")
    assert elsewhere == []
    bound = walk(gql, "AccountCards", {"first": 5, "filter": {"spare": False}}, "clerk-sh")
    assert bound
    assert all(c["status"] == "ACTIVE" for c in bound)
    denied = gql.post(doc("AccountCards"), {}, as_user="customer-1").json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_machines_in_stock_by_model(gql: GraphQL, database_url: str) -> None:
    station = _station(gql, database_url, "SZ")
    models = gql.data("query { deviceModels { id code } }", as_user="hq")["deviceModels"]
    receive = (
        "mutation($w: ID!, $m: ID!, $s: String!) { receiveMachine(warehouseId: $w, "
        "deviceModelId: $m, serialNumber: $s) { device { id } errors { code } } }"
    )
    serials = {}
    for index, model in enumerate([models[0], models[0], models[1]]):
        serial = unique(f"SN{index}")
        result = gql.data(receive, {"w": station, "m": model["id"], "s": serial}, as_user="hq")
        assert result["receiveMachine"]["errors"] == []
        serials[serial] = model["code"]
    listed = walk(gql, "MachinesInStock", {"warehouseId": station, "first": 2}, "hq")
    assert [d["serialNumber"] for d in listed] == sorted(serials)
    assert all(d["status"] == "IN_STOCK" and d["stockBin"] == "GOOD" for d in listed)
    one_model = walk(
        gql, "MachinesInStock", {"warehouseId": station, "modelId": models[1]["id"]}, "hq"
    )
    assert [d["model"]["code"] for d in one_model] == [models[1]["code"]]
    hidden = gql.post(doc("MachinesInStock"), {"warehouseId": station}, as_user="clerk-sh").json()
    assert hidden["data"] is None or hidden["data"]["machinesInStock"] is None
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("name", "user", "sizes"),
    [
        ("Technicians", "hotline", (2, 10)),
        ("Jobs", "hq", (3, 30)),
        ("AccountCards", "hq", (3, 30)),
    ],
)
def test_a_page_costs_the_same_statements_at_any_size(
    gql: GraphQL, client: TestClient, name: str, user: str, sizes: tuple[int, int]
) -> None:
    token = gql.token(user)
    # A first request records the session's activity (throttled), so neither counted one does.
    gql.data(doc(name), {"first": 1}, token=token)
    counts = {}
    for size in sizes:
        with count_statements(client) as seen:
            data = gql.data(doc(name), {"first": size}, token=token)
        assert len(next(iter(data.values()))["edges"]) == size
        counts[size] = len(seen)
    assert counts[sizes[0]] == counts[sizes[1]], counts
