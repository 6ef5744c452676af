"""The Tickets bench's three servers (``graphql``, ``bare``, ``start``) and the checks run on
them before any timing: the statements one page costs in each, counted in process, and the
same JSON from all three for the first two pages."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from starlette.applications import Starlette
from starlette.testclient import TestClient

from . import bare_tickets
from .database import ROOT
from .servers import Endpoint, Server

TICKETS_DOCUMENT = (ROOT / "clients" / "dispatcher" / "Tickets.graphql").read_text("utf-8")
LOGIN_DOCUMENT = (ROOT / "clients" / "everyone" / "Login.graphql").read_text("utf-8")
STATEMENT_PAGE_SIZES = (10, 50, 100)


def _graphql_body(first: int, after: str | None) -> dict[str, Any]:
    variables: dict[str, Any] = {"first": first}
    if after is not None:
        variables["after"] = after
    return {"query": TICKETS_DOCUMENT, "variables": variables, "operationName": "Tickets"}


def _bare_body(first: int, after: str | None) -> dict[str, Any]:
    return {"first": first, "after": after}


GRAPHQL = Endpoint("graphql", "wellspring.api.app:create_app", "/graphql", _graphql_body)
BARE = Endpoint("bare", "bench.bare_tickets:create_app", "/tickets", _bare_body)
START = Endpoint("start", "bench.bare_tickets:create_start_app", "/tickets", _bare_body)
ENDPOINTS = (GRAPHQL, BARE, START)


# -- the two apps in process: statements per request --------------------------------------


def login(post: Callable[[str, dict[str, Any]], dict[str, Any]], user: str, pw: str) -> str:
    variables = {"username": user, "password": pw}
    answer = post("/graphql", {"query": LOGIN_DOCUMENT, "variables": variables})
    payload = (answer.get("data") or {}).get("login") or {}
    if not payload.get("token"):
        raise SystemExit(f"login as {user} failed: {json.dumps(answer, ensure_ascii=False)}")
    return str(payload["token"])


def client_post(
    client: TestClient, token: str | None, label: str = ""
) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    """POST a JSON body through ``client`` (with ``token`` as bearer); an HTTP error or a
    GraphQL error stops the bench with the answer."""

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = client.post(path, json=body, headers=headers)
        answer: dict[str, Any] = response.json()
        if response.status_code != 200 or "errors" in answer:
            raise SystemExit(f"{label} {path} failed: {response.text[:2000]}".lstrip())
        return answer

    return post


def _count_statements(
    app: Starlette,
    endpoint: Endpoint,
    token: str | None,
    credentials: tuple[str, str],
    sizes: list[int],
) -> tuple[str, dict[int, list[str]]]:
    """The statements one page request runs, per page size (after one warm-up request)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    with TestClient(app) as client:
        token = token or login(client_post(client, None, endpoint.name), *credentials)
        post = client_post(client, token, endpoint.name)
        post(endpoint.path, endpoint.body(sizes[0], None))
        sync_engine = app.state.engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", record)
        try:
            by_size: dict[int, list[str]] = {}
            for size in sizes:
                seen.clear()
                post(endpoint.path, endpoint.body(size, None))
                by_size[size] = list(seen)
        finally:
            event.remove(sync_engine, "before_cursor_execute", record)
    return token, by_size


def count_statements(
    url: str, secret: str, credentials: tuple[str, str], first: int
) -> dict[str, dict[int, list[str]]]:
    """Per app and page size, the statements of one page request (not timed)."""
    from wellspring.api.app import create_app
    from wellspring.settings import Mode, Settings

    settings = Settings(database_url=url, mode=Mode.PRODUCTION, secret_key=secret, log_json=True)
    graphql_app = create_app(settings)
    # create_app logs every request at INFO; in process that would only clutter the console.
    logging.getLogger().setLevel(logging.WARNING)
    sizes = sorted({*STATEMENT_PAGE_SIZES, first})
    token, graphql = _count_statements(graphql_app, GRAPHQL, None, credentials, sizes)
    bare_app = bare_tickets.create_app(settings)
    _, bare = _count_statements(bare_app, BARE, token, credentials, sizes)
    start_app = bare_tickets.create_app(settings, at_start=True)
    _, start = _count_statements(start_app, START, token, credentials, sizes)
    return {GRAPHQL.name: graphql, BARE.name: bare, START.name: start}


def verify_same_statements(statements: dict[str, dict[int, list[str]]]) -> None:
    """The GraphQL app and the bare endpoint run the same SQL (the page's columns included,
    which the GraphQL app finds from the document's selection), or the run stops here."""
    ours, theirs = statements[GRAPHQL.name], statements[BARE.name]
    for size, sql in ours.items():
        if sql != theirs.get(size):
            raise SystemExit(
                f"graphql and bare statements differ at first={size}:\n"
                + "\n".join(" ".join(s.split())[:400] for s in [*sql, "--", *theirs.get(size, [])])
            )


# -- the two apps under uvicorn ---------------------------------------------------------------


def _first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: present on one side only"
            found = _first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def verify_same_answers(graphql: Server, bare: Server, token: str, first: int) -> None:
    """Both servers give identical JSON for the first two pages, or the run stops here."""
    after: str | None = None
    for page in (1, 2):
        ours, theirs = graphql.page(token, first, after), bare.page(token, first, after)
        difference = _first_difference(ours, theirs)
        if difference is not None:
            raise SystemExit(
                f"graphql and {bare.endpoint.name} answers differ on page {page}: {difference}"
            )
        after = ours["data"]["tickets"]["pageInfo"]["endCursor"]
        if after is None:
            break
