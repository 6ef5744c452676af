"""A mutation that loses a race the database settles answers CONCURRENT_CHANGE, never
INTERNAL_ERROR, and keeps nothing; sent again, it is answered as usual.

Each race is made certain: another transaction holds the winning write, uncommitted, while
the request runs against a live server, and commits once the request waits on it. Only
PostgreSQL lets two writers overlap (SQLite serialises them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.workflow_steps import doc, ids, to_assigned
from tests.conftest import GraphQL, make_settings
from tests.e2e.live import http, live_server
from tests.factories import raw_id, unique
from wellspring.domain.db import create_engine, session_factory
from wellspring.domain.models import FaultCode
from wellspring.i18n import message

HOLD_SECONDS = 0.5  # long enough for the request to reach the held row


@pytest.fixture(autouse=True)
def _postgresql_only(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers: no two of them overlap")


def _race(
    database_url: str,
    gql: GraphQL,
    user: str,
    hold: Callable[[AsyncSession], Awaitable[Any]],
    document: str,
    variables: dict[str, Any],
) -> Any:
    """``document``'s answer when ``hold``'s uncommitted write commits under it."""
    headers = {"Authorization": f"Bearer {gql.token(user)}", "Accept-Language": "en"}
    body = {"query": document, "variables": variables}

    async def go(base: str) -> Any:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as holder:
                await holder.begin()
                await hold(holder)
                request = asyncio.ensure_future(
                    asyncio.to_thread(http, "POST", f"{base}/graphql", body, headers)
                )
                await asyncio.sleep(HOLD_SECONDS)
                assert not request.done(), "the request did not wait for the held write"
                await holder.commit()
                return await request
        finally:
            await engine.dispose()

    with live_server(make_settings(database_url)) as base:
        status, answer = asyncio.run(go(base))
    assert status == 200, answer
    return answer


def _upsert_fault_code(code: str) -> dict[str, Any]:
    return {"input": {"code": code, "nameZh": "竞态", "nameEn": "race"}}


def test_creating_a_key_another_transaction_is_creating_answers_concurrent_change(
    database_url: str, gql: GraphQL
) -> None:
    gql.token("admin")
    code = unique("E").upper()[:16]

    async def hold(session: AsyncSession) -> None:
        session.add(FaultCode(code=code, name_zh="先到", name_en="first"))
        await session.flush()

    variables = _upsert_fault_code(code)
    answer = _race(database_url, gql, "admin", hold, doc("UpsertFaultCode"), variables)
    result = answer["data"]["upsertFaultCode"]
    assert "errors" not in answer, answer
    assert result["faultCode"] is None
    assert result["errors"] == [
        {
            "field": None,
            "code": "CONCURRENT_CHANGE",
            "message": message("CONCURRENT_CHANGE", "en"),
        }
    ]
    # sent again, it meets the winner's row: edited as the mutation does for a known code
    again = gql.data(doc("UpsertFaultCode"), _upsert_fault_code(code), as_user="admin")
    assert again["upsertFaultCode"]["errors"] == []
    assert again["upsertFaultCode"]["faultCode"]["nameEn"] == "race"


def test_a_change_under_a_revision_being_written_answers_concurrent_change_and_keeps_nothing(
    database_url: str, gql: GraphQL
) -> None:
    """CancelTicket reads the ticket, then its writes wait on another transaction's change of
    it, which moves the revision: its UPDATE then matches no row."""
    o = ids(database_url)
    ticket_id, _job_id = to_assigned(gql, o)
    gql.token("clerk-sh")

    async def hold(session: AsyncSession) -> None:
        await session.execute(
            text("UPDATE tickets SET revision = revision + 1 WHERE id = :id"),
            {"id": raw_id(ticket_id)},
        )

    variables = {"id": ticket_id, "reason": "客户取消"}
    answer = _race(database_url, gql, "clerk-sh", hold, doc("CancelTicket"), variables)
    assert "errors" not in answer, answer
    (error,) = answer["data"]["cancelTicket"]["errors"]
    assert error["code"] in {"CONCURRENT_CHANGE", "STALE_OBJECT"}, error
    ticket = gql.data(doc("Ticket"), {"id": ticket_id}, as_user="hq")["ticket"]
    assert ticket["status"] != "CANCELLED"
    again = gql.data(doc("CancelTicket"), variables, as_user="clerk-sh")["cancelTicket"]
    assert again["errors"] == []
    assert again["ticket"]["status"] == "CANCELLED"


def test_in_a_mutation_of_two_fields_the_lost_one_keeps_nothing_and_the_other_lands(
    database_url: str, gql: GraphQL
) -> None:
    """With two fields, each runs in a savepoint: the one that lost is rolled back to it, and
    the request goes on."""
    gql.token("admin")
    held, free = unique("E").upper()[:16], unique("F").upper()[:16]

    async def hold(session: AsyncSession) -> None:
        session.add(FaultCode(code=held, name_zh="先到", name_en="first"))
        await session.flush()

    document = """
    mutation Two($a: UpsertFaultCodeInput!, $b: UpsertFaultCodeInput!) {
      a: upsertFaultCode(input: $a) { faultCode { code } errors { code } }
      b: upsertFaultCode(input: $b) { faultCode { code } errors { code } }
    }"""
    variables = {"a": _upsert_fault_code(held)["input"], "b": _upsert_fault_code(free)["input"]}
    answer = _race(database_url, gql, "admin", hold, document, variables)
    assert "errors" not in answer, answer
    assert answer["data"]["a"] == {"faultCode": None, "errors": [{"code": "CONCURRENT_CHANGE"}]}
    assert answer["data"]["b"] == {"faultCode": {"code": free}, "errors": []}
    codes = gql.data(doc("FaultCodes"), {}, as_user="admin", locale="en")["faultCodes"]
    names = {c["code"]: c["name"] for c in codes}
    assert names[held] == "first"
    assert names[free] == "race"
