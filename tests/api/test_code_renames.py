"""Renaming a record's code to one another record holds answers DUPLICATE_CODE and changes
nothing, alone or racing another rename to the same code. The check read the taken codes with
autoflush on, so the pending rename was written first and the unique constraint refused it:
INTERNAL_ERROR on SQLite, CONCURRENT_CHANGE on PostgreSQL.

Codes are case-insensitive: one typed in lowercase is stored upper-case, and a code that
differs from a taken one only in case is taken (``pp-10`` was accepted beside ``PP-10``, and
an import naming the code then met either record)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.held_writes import race
from tests.api.master_data_calls import branch_id
from tests.api.workflow_steps import doc, payload
from tests.conftest import GraphQL
from tests.factories import fetch, raw_id, unique
from wellspring.domain import models as m


@dataclass(frozen=True)
class Kind:
    mutation: str  # the operation's name under clients/
    record: str  # the payload's key for the record
    model: Any
    column: str  # the unique column, and the input field that sets it
    fields: dict[str, Any]  # what a new one needs besides its code (``branch`` the branch)


KINDS = [
    Kind("UpsertWarehouse", "warehouse", m.Warehouse, "code",
         {"name": "改码库", "kind": "REPAIR_CENTER", "branchId": "branch"}),
    Kind("UpsertBranch", "branch", m.Branch, "code", {"name": "改码办事处"}),
    Kind("UpsertPart", "part", m.Part, "sku",
         {"name": "改码件", "cost": "1", "listPrice": "2"}),
    Kind("UpsertDeviceModel", "deviceModel", m.DeviceModel, "code",
         {"name": "改码机型", "listPrice": "100"}),
    Kind("UpsertAgent", "agent", m.Agent, "code", {"name": "改码代理商", "branchId": "branch"}),
    Kind("UpsertServiceOutlet", "outlet", m.ServiceOutlet, "code",
         {"name": "改码网点", "branchId": "branch"}),
]  # fmt: skip


def _make(gql: GraphQL, database_url: str, kind: Kind) -> tuple[str, str]:
    """A new record of ``kind``: its global id and code."""
    sh = branch_id(database_url, "SH")
    code = unique("RN").upper()
    given = {k: sh if v == "branch" else v for k, v in kind.fields.items()}
    made = payload(gql, kind.mutation, {"input": {kind.column: code, **given}}, "hq")
    assert made["errors"] == [], made["errors"]
    return made[kind.record]["id"], code


def _row(database_url: str, kind: Kind, gid: str) -> tuple[str, str]:
    column = getattr(kind.model, kind.column)
    query = select(column, kind.model.name).where(kind.model.id == raw_id(gid))
    code, name = fetch(database_url, query)[0]
    return code, name


def _refused(answer: dict[str, Any], kind: Kind, code: str) -> None:
    assert answer[kind.record] is None
    assert [(e["code"], e["field"]) for e in answer["errors"]] == [("DUPLICATE_CODE", kind.column)]
    assert code in answer["errors"][0]["message"]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.mutation)
def test_a_code_renamed_to_one_taken_is_refused_and_nothing_changes(
    gql: GraphQL, database_url: str, kind: Kind
) -> None:
    a, a_code = _make(gql, database_url, kind)
    _, b_code = _make(gql, database_url, kind)
    before = _row(database_url, kind, a)
    rename = {"input": {"id": a, kind.column: b_code, "name": "改了名"}}
    _refused(payload(gql, kind.mutation, rename, "hq"), kind, b_code)
    assert _row(database_url, kind, a) == before == (a_code, before[1])
    # The refusal left the session fit for the next call: renaming to a free code works.
    free = unique("RN").upper()
    renamed = payload(gql, kind.mutation, {"input": {"id": a, kind.column: free}}, "hq")
    assert renamed["errors"] == []
    assert renamed[kind.record][kind.column] == free


@pytest.mark.usefixtures("postgresql_only")
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.mutation)
def test_two_renames_to_one_code_at_once_refuse_the_later(
    gql: GraphQL, database_url: str, kind: Kind
) -> None:
    """B is renamed to the code (uncommitted) while A is: A's check cannot see it, its UPDATE
    waits for B's and then breaks the unique constraint; A runs once more and is refused."""
    a, a_code = _make(gql, database_url, kind)
    b, _ = _make(gql, database_url, kind)
    wanted = unique("RN").upper()

    async def hold(session: AsyncSession) -> None:  # B's rename, as the code makes it
        column = getattr(kind.model, kind.column)
        held = update(kind.model).where(kind.model.id == raw_id(b)).values({column: wanted})
        await session.execute(held)

    rename = {"input": {"id": a, kind.column: wanted}}
    answer = race(database_url, gql, "hq", hold, doc(kind.mutation), rename)
    _refused(answer["data"][kind.mutation[0].lower() + kind.mutation[1:]], kind, wanted)
    assert _row(database_url, kind, a)[0] == a_code
    assert _row(database_url, kind, b)[0] == wanted


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.mutation)
def test_a_code_differing_only_in_case_is_taken(
    gql: GraphQL, database_url: str, kind: Kind
) -> None:
    _, a_code = _make(gql, database_url, kind)
    b, b_code = _make(gql, database_url, kind)
    sh = branch_id(database_url, "SH")
    given = {k: sh if v == "branch" else v for k, v in kind.fields.items()}
    create = {"input": {kind.column: a_code.lower(), **given}}
    _refused(payload(gql, kind.mutation, create, "hq"), kind, a_code)
    rename = {"input": {"id": b, kind.column: f" {a_code.lower()} "}}
    _refused(payload(gql, kind.mutation, rename, "hq"), kind, a_code)
    assert _row(database_url, kind, b)[0] == b_code
    column = getattr(kind.model, kind.column)
    assert fetch(database_url, select(func.count()).where(func.upper(column) == a_code)) == [(1,)]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.mutation)
def test_a_code_typed_in_lowercase_is_stored_upper_case(
    gql: GraphQL, database_url: str, kind: Kind
) -> None:
    sh = branch_id(database_url, "SH")
    code = unique("lc").lower()
    given = {k: sh if v == "branch" else v for k, v in kind.fields.items()}
    made = payload(gql, kind.mutation, {"input": {kind.column: code, **given}}, "hq")
    assert made["errors"] == [], made["errors"]
    assert made[kind.record][kind.column] == code.upper()
    assert _row(database_url, kind, made[kind.record]["id"])[0] == code.upper()
    renamed = unique("lc").lower()
    answer = payload(
        gql, kind.mutation, {"input": {"id": made[kind.record]["id"], kind.column: renamed}}, "hq"
    )
    assert answer["errors"] == []
    assert _row(database_url, kind, made[kind.record]["id"])[0] == renamed.upper()
