"""The /graphql door: limits, malformed input, error hygiene, production settings, health."""

from __future__ import annotations

import json
import logging

import pytest
from starlette.testclient import TestClient

from tests.conftest import GraphQL, make_settings
from tests.dispatch_site import PLACES, add_technician, make_branch, set_rows
from tests.sync_phone import Phone
from wellspring.api.app import create_app
from wellspring.domain import models as m
from wellspring.i18n import message
from wellspring.schema.core.ids import global_id
from wellspring.settings import Mode


def _nested(depth: int) -> str:
    """customers → edges → node → branch → parent ... → id: ``depth`` levels, leaf included."""
    inner = "id"
    for _ in range(max(0, depth - 5)):
        inner = f"parent {{ {inner} }}"
    return f"{{ customers(first: 1) {{ edges {{ node {{ branch {{ {inner} }} }} }} }} }}"


def test_depth_at_the_limit_runs_and_one_more_is_refused_before_execution(gql: GraphQL) -> None:
    assert gql.post(_nested(8), as_user="hq").status_code == 200
    response = gql.post(_nested(9), as_user="hq")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert "data" not in response.json()


def test_an_undefined_fragment_is_a_validation_error_not_a_500(gql: GraphQL) -> None:
    response = gql.post("{ customers { ...Missing } }", as_user="hq")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_self_referencing_fragments_do_not_loop(gql: GraphQL) -> None:
    query = "fragment A on Branch { parent { ...A } } { branches { ...A } }"
    assert gql.post(query, as_user="hq").status_code == 400


def test_more_than_fifteen_aliases_are_refused(gql: GraphQL) -> None:
    fields = " ".join(f"a{i}: me {{ id }}" for i in range(16))
    response = gql.post(f"{{ {fields} }}", as_user="hq")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"
    fifteen = " ".join(f"a{i}: me {{ id }}" for i in range(15))
    assert gql.post(f"{{ {fifteen} }}", as_user="hq").status_code == 200


def test_costly_queries_are_refused_with_their_cost(gql: GraphQL) -> None:
    query = (
        "query($n: Int) { customers(first: $n) { edges { node { devices { tickets { "
        "jobs { history { id } } } } } } } }"
    )
    response = gql.post(query, {"n": 100}, as_user="hq")
    assert response.status_code == 400
    ext = response.json()["errors"][0]["extensions"]
    assert ext["code"] == "QUERY_TOO_COMPLEX"
    assert ext["requestedQueryCost"] > ext["maximumAvailable"] == 5000
    assert gql.post(query, {"n": 5}, as_user="hq").status_code == 200


def test_page_size_is_capped(gql: GraphQL) -> None:
    body = gql.post("{ customers(first: 101) { totalCount } }", as_user="hq").json()
    assert body["errors"][0]["extensions"]["code"] == "PAGE_SIZE_OUT_OF_RANGE"
    body = gql.post("{ customers(first: 0) { totalCount } }", as_user="hq").json()
    assert body["errors"][0]["extensions"]["code"] == "PAGE_SIZE_OUT_OF_RANGE"


def test_a_bad_cursor_is_a_clear_error(gql: GraphQL) -> None:
    body = gql.post('{ customers(after: "garbage") { totalCount } }', as_user="hq").json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


def test_oversized_bodies_get_413_before_parsing(client: TestClient) -> None:
    big = json.dumps({"query": "{ me { id } }", "variables": {"pad": "x" * 2_000_000}})
    response = client.post("/graphql", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_malformed_requests_are_4xx_with_codes(client: TestClient) -> None:
    cases = [
        (b"not json", "BAD_REQUEST"),
        (b'[{"query": "{ me { id } }"}]', "BATCHING_NOT_SUPPORTED"),
        (b'{"query": 5}', "BAD_REQUEST"),
        (b'{"query": "{ me { id "}', "BAD_REQUEST"),
        (b'{"query": "query A { me { id } } query B { me { id } }"}', "BAD_REQUEST"),
    ]
    for body, code in cases:
        response = client.post("/graphql", content=body)
        assert response.status_code == 400, body
        assert response.json()["errors"][0]["extensions"]["code"] == code, body


def test_token_limit(client: TestClient) -> None:
    query = "{ " + " ".join("me { id }" for _ in range(1200)) + " }"
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_TOKENS"


def test_unknown_ids_and_malformed_ids(gql: GraphQL) -> None:
    from wellspring.schema.core.ids import global_id

    missing = global_id("Customer", "00000000-0000-0000-0000-000000000000")
    data = gql.data("query($id: ID!) { customer(id: $id) { id } }", {"id": missing}, as_user="hq")
    assert data["customer"] is None
    body = gql.post(
        "query($id: ID!) { customer(id: $id) { id } }", {"id": "nope"}, as_user="hq"
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID"
    wrong_type = global_id("Ticket", "00000000-0000-0000-0000-000000000000")
    body = gql.post(
        "query($id: ID!) { customer(id: $id) { id } }", {"id": wrong_type}, as_user="hq"
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID"


@pytest.fixture(scope="module")
def production(database_url: str):  # type: ignore[no-untyped-def]
    settings = make_settings(database_url, mode=Mode.PRODUCTION)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_production_refuses_introspection_suggestions_and_graphiql(production: TestClient) -> None:
    for query in ("{ __schema { types { name } } }", '{ __type(name: "Customer") { name } }'):
        response = production.post("/graphql", json={"query": query})
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    response = production.post("/graphql", json={"query": "{ mee { id } }"})
    assert response.status_code == 400
    assert "Did you mean" not in response.text
    assert production.get("/graphql").status_code == 404


def test_demo_accounts_do_not_exist_in_production(production: TestClient) -> None:
    query = 'mutation { login(username: "hq", password: "demo") { token errors { code } } }'
    login = production.post("/graphql", json={"query": query}).json()["data"]["login"]
    assert login["token"] is None
    assert login["errors"][0]["code"] == "INVALID_CREDENTIALS"


def test_development_serves_the_console(client: TestClient) -> None:
    response = client.get("/graphql")
    assert response.status_code == 200
    assert "Wellspring" in response.text


def test_unexpected_errors_leak_nothing_and_carry_a_request_id(
    empty_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A real fault at the database (its tables are missing): no traceback, SQL or path
    reaches the client, only a code and the request id that the log line also carries."""
    with TestClient(create_app(make_settings(empty_database_url))) as test_client:
        response = test_client.post(
            "/graphql",
            json={"query": 'mutation { login(username: "hq", password: "x") { token } }'},
        )
    body = response.json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_ERROR"
    request_id = response.headers["x-request-id"]
    assert error["extensions"]["requestId"] == request_id
    for leak in ("SELECT", "login_throttle", "sqlite", "Traceback", ".py"):
        assert leak not in response.text
    logged = [r for r in caplog.records if getattr(r, "request_id", None) == request_id]
    assert any(r.exc_info for r in logged), "the traceback goes to the log, with the id"


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_stored_value_its_type_cannot_show_is_our_fault_in_the_callers_language(
    gql: GraphQL, database_url: str, caplog: pytest.LogCaptureFixture, locale: str
) -> None:
    """graphql-core's own error when it cannot serialize what a resolver returned is English
    and carries no code; the answer is INTERNAL_ERROR in the caller's language, logged."""
    site = make_branch(database_url)
    add_technician(site, "a", home=PLACES["jingan"])
    set_rows(database_url, m.Technician, site.techs["a"], work_days=[1, "x"])
    query = "query($id: ID!) { node(id: $id) { ... on Technician { workDays } } }"
    try:
        response = gql.post(
            query, {"id": global_id("Technician", site.techs["a"])}, as_user="hq", locale=locale
        )
    finally:  # a later list of every engineer must not meet this row
        set_rows(database_url, m.Technician, site.techs["a"], work_days=[1, 2, 3, 4, 5])
    error = response.json()["errors"][0]
    request_id = response.headers["x-request-id"]
    assert error["extensions"] == {"code": "INTERNAL_ERROR", "requestId": request_id}
    assert error["message"] == message("INTERNAL_ERROR", locale, request_id=request_id)
    assert "represent" not in response.text
    logged = [r for r in caplog.records if getattr(r, "request_id", None) == request_id]
    assert any(r.exc_info for r in logged)


def test_one_log_line_per_request_with_user_and_operation(
    gql: GraphQL, caplog: pytest.LogCaptureFixture
) -> None:
    token = gql.token("clerk-sh")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="wellspring.access"):
        response = gql.post("query Me { me { id } }", token=token, operation_name="Me")
    lines = [r for r in caplog.records if r.name == "wellspring.access"]
    assert len(lines) == 1
    line = lines[0]
    assert line.request_id == response.headers["x-request-id"]  # type: ignore[attr-defined]
    assert line.user == "clerk-sh"  # type: ignore[attr-defined]
    assert line.operation == "Me"  # type: ignore[attr-defined]
    assert line.status == 200  # type: ignore[attr-defined]
    assert line.duration_ms >= 0  # type: ignore[attr-defined]


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"


def test_readiness_fails_on_an_unmigrated_database(empty_database_url: str) -> None:
    with TestClient(create_app(make_settings(empty_database_url))) as test_client:
        response = test_client.get("/readyz")
    assert response.status_code == 503


def test_sync_and_export_lines_name_their_user(
    gql: GraphQL, caplog: pytest.LogCaptureFixture
) -> None:
    """A sync request and a download were logged with no user (only GraphQL set it)."""
    phone = Phone(gql.client, gql.token("tech-sh-1"))
    clerk = {"Authorization": f"Bearer {gql.token('clerk-sh')}"}
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="wellspring.access"):
        assert phone.pull_raw().status_code == 200
        assert gql.client.get("/export/tickets.csv", headers=clerk).status_code == 200
        assert gql.client.get("/export/tickets.csv").status_code == 401
    lines = [r for r in caplog.records if r.name == "wellspring.access"]
    assert [(r.path, r.user) for r in lines] == [  # type: ignore[attr-defined]
        ("/sync/pull", "tech-sh-1"),
        ("/export/tickets.csv", "clerk-sh"),
        ("/export/tickets.csv", ""),
    ]


@pytest.mark.parametrize("claimed", ["\ud800", "Q" * 900_000, "1abc", "a b"])
def test_an_operation_name_that_is_no_graphql_name_is_not_logged(
    gql: GraphQL, caplog: pytest.LogCaptureFixture, claimed: str
) -> None:
    """A lone surrogate lost the request's log line; a 900 KB name was written whole."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="wellspring.access"):
        body = {"query": "query A { __typename }", "operationName": claimed}
        sent = json.dumps(body).encode()  # escaped, as JSON carries a lone surrogate
        response = gql.client.post(
            "/graphql", content=sent, headers={"content-type": "application/json"}
        )
    assert response.status_code == 400
    lines = [r for r in caplog.records if r.name == "wellspring.access"]
    assert [r.operation for r in lines] == [""]  # type: ignore[attr-defined]


@pytest.mark.parametrize("variables", [0, False, "", []])
def test_variables_that_are_no_object_are_refused_not_read_as_none(
    gql: GraphQL, variables: object
) -> None:
    """``"variables": 0`` (or false, or "") read as no variables at all."""
    body = {"query": "{ __typename }", "variables": variables}
    response = gql.client.post("/graphql", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert gql.client.post("/graphql", json={**body, "variables": None}).status_code == 200


@pytest.mark.parametrize("name", [5, True, [], {}])
@pytest.mark.parametrize(
    ("locale", "said"),
    [("zh-CN", "operationName 须为字符串"), ("en", "`operationName` must be a string")],
)
def test_an_operation_name_that_is_no_string_is_told_as_such(
    gql: GraphQL, name: object, locale: str, said: str
) -> None:
    """It was refused as "variables must be an object", about a part the request got right."""
    body = {"query": "{ __typename }", "operationName": name}
    response = gql.client.post("/graphql", json=body, headers={"Accept-Language": locale})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert said in error["message"]
    assert "variables" not in error["message"]
