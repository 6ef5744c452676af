"""What a SuggestTechnicians request reads: its engineers from the ring lookups' rows, and
the whole engineer only for a selection that asks for more (issue 19 §3)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.api.seen import count_statements
from tests.api.suggest_site import suggest, suggest_branch
from tests.conftest import GraphQL
from tests.dispatch_site import Site
from wellspring.schema.core.ids import global_id


@pytest.fixture(scope="module")
def site(database_url: str) -> Site:
    return suggest_branch(database_url)


def test_the_engineers_returned_are_answered_from_the_ring_rows(
    gql: GraphQL, site: Site, client: TestClient
) -> None:
    """Ring lookups read a few columns of the engineers, not whole rows, with their names;
    the engineers returned are answered from those rows: no statement of their own, and no
    second lookup of the same users (issue 19 §3)."""
    with count_statements(client) as statements:
        result = suggest(gql, site.jobs["repair"])
    assert result["suggestions"]
    assert all(s["technician"]["displayName"] for s in result["suggestions"])
    assert all(s["technician"]["skills"] for s in result["suggestions"])
    lookups = [s for s in statements if "position_cell IN" in s or "position_cell = ANY" in s]
    assert lookups
    assert not any("technicians.position_accuracy" in s for s in lookups)
    others = [s for s in statements if s not in lookups]
    assert not any("FROM technicians" in s for s in others), others
    assert not any(s.startswith("SELECT users.id, users.display_name") for s in statements)


def test_an_engineer_asked_for_more_is_read_whole(gql: GraphQL, site: Site) -> None:
    """A selection of the engineer reading columns the ring rows do not hold (the van, the
    phone's accuracy through the position) gets what the engineer read alone answers."""
    fields = "id displayName skills shiftStart position { accuracy } van { id }"
    document = f"""query($jobId: ID!) {{ suggestTechnicians(jobId: $jobId) {{
        suggestions {{ technician {{ {fields} }} }} errors {{ code }} }} }}"""
    variables = {"jobId": global_id("Job", site.jobs["repair"])}
    answer = gql.post(document, variables, as_user="hq").json()
    assert "errors" not in answer, answer
    engineers = [s["technician"] for s in answer["data"]["suggestTechnicians"]["suggestions"]]
    assert engineers
    for engineer in engineers:
        alone = gql.post(
            f"query($id: ID!) {{ node(id: $id) {{ ... on Technician {{ {fields} }} }} }}",
            {"id": engineer["id"]},
            as_user="hq",
        ).json()
        assert alone["data"]["node"] == engineer
