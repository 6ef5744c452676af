"""A customer reads their engineer's name as the tracking page shows it (the given name,
unless the company shows full names) on every visit and ticket field of the API too: the
tracking page showed only the given name while ``Job.technicianName`` gave the customer the
full name. Staff still read the full name."""

from __future__ import annotations

from typing import Any

from tests.api.workflow_steps import doc
from tests.conftest import GraphQL
from tests.tracking_world import customer_one, visit
from wellspring.domain.models.enums import Role
from wellspring.domain.tracking.config import TrackingConfig
from wellspring.domain.tracking.view import engineer_name_for, first_name

TICKET_JOBS = "query($id: ID!) { ticket(id: $id) { jobs { id technicianName } } }"
JOB_ALONE = "query($id: ID!) { node(id: $id) { ... on Job { technicianName } } }"


def _mine(account: dict[str, Any], ticket_id: str) -> list[str]:
    tickets = account["customers"]["nodes"][0]["ticketsConnection"]["nodes"]
    return [job["technicianName"] for t in tickets if t["id"] == ticket_id for job in t["jobs"]]


def test_the_customer_reads_the_engineer_as_the_tracking_page_shows_them(
    gql: GraphQL, database_url: str
) -> None:
    ticket_id, job_id = visit(gql, customer_one(database_url), upto="AcceptJob")
    full = gql.data(doc("Me"), as_user="tech-sh-1")["me"]["displayName"]
    given = first_name(full)
    assert given != full  # the demo's engineers have Chinese names: surname + given name
    page = gql.data(doc("VisitTracking"), {"ticketId": ticket_id}, as_user="customer-1")
    assert page["visitTracking"]["engineer"]["name"] == given

    # Every door a customer reads a visit through: the account page, the ticket, the job.
    account = gql.data(doc("MyAccount"), {"first": 100}, as_user="customer-1")
    assert _mine(account, ticket_id) == [given]
    jobs = gql.data(TICKET_JOBS, {"id": ticket_id}, as_user="customer-1")["ticket"]["jobs"]
    assert [job["technicianName"] for job in jobs] == [given]
    alone = gql.data(JOB_ALONE, {"id": job_id}, as_user="customer-1")["node"]
    assert alone == {"technicianName": given}

    # Staff read the full name, on the same fields.
    jobs = gql.data(TICKET_JOBS, {"id": ticket_id}, as_user="hotline")["ticket"]["jobs"]
    assert [job["technicianName"] for job in jobs] == [full]
    assert gql.data(JOB_ALONE, {"id": job_id}, as_user="clerk-sh")["node"] == {
        "technicianName": full
    }


def test_a_company_that_shows_full_names_shows_them_to_customers_everywhere() -> None:
    shown, hidden = TrackingConfig(show_engineer_full_name=True), TrackingConfig()
    assert engineer_name_for(Role.CUSTOMER, "张伟", hidden) == "伟"
    assert engineer_name_for(Role.CUSTOMER, "张伟", shown) == "张伟"
    assert engineer_name_for(Role.CUSTOMER, None, hidden) is None  # no engineer yet
    for staff in set(Role) - {Role.CUSTOMER}:
        assert engineer_name_for(staff, "张伟", hidden) == "张伟"
