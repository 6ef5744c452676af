"""Who may see what, continued: cards, warehouses and their stock, engineers, route plans.

test_scope_matrix.py covers customers, devices and tickets; this module covers the other tables
``domain.policy`` scopes, for every demo role, through the GraphQL lists and through `node`.
The oracle restates domain.md ("Who may see what") and docs/api.md over raw rows; it does not
call ``domain.policy``. Stock discrepancies have their own matrix in test_stock_discrepancies.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.test_scope_matrix import ROLES_UNDER_TEST, Oracle, World, world
from tests.api.workflow_steps import ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch, raw_id
from wellspring.domain import models as m
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.models.enums import Role
from wellspring.domain.pagination import COUNT_LIMIT
from wellspring.schema.core.ids import global_id

WIDE = (Role.ADMIN, Role.HQ, Role.HOTLINE)


@dataclass(frozen=True)
class Stock:
    cards: list[Any]
    warehouses: list[Any]
    balances: list[Any]
    technicians: list[Any]
    route_plans: list[Any]


def stock(url: str) -> Stock:
    def rows(model: Any) -> list[Any]:
        found = [r[0] for r in fetch(url, select(model).order_by(model.id))]
        return [r for r in found if r.deleted_at is None]

    return Stock(
        rows(m.AccountCard),
        rows(m.Warehouse),
        rows(m.StockBalance),
        rows(m.Technician),
        rows(m.RoutePlan),
    )


class StockOracle:
    """The rest of "Who may see what": an agent sees its own cards and stock, an engineer their
    own van and what their jobs need, a branch its own; route plans and the engineer directory
    are dispatch work (HQ, the hotline and the branch)."""

    def __init__(self, w: World, username: str) -> None:
        self.base = Oracle(w, username)
        self.w = w
        self.user = w.users[username]
        self.technician_id = w.technician_of.get(self.user.id)

    def card(self, c: Any) -> bool:
        u = self.user
        match u.role:
            case Role.ADMIN | Role.HQ | Role.HOTLINE:
                return True
            case Role.CLERK:
                return bool(c.branch_id == u.branch_id)
            case Role.AGENT:
                return bool(c.agent_id == u.agent_id)
            case Role.SALES | Role.CUSTOMER:
                customer = self.w.customers.get(c.customer_id)
                return customer is not None and self.base.customer(customer)
            case Role.TECHNICIAN:
                device = self.w.devices.get(c.device_id)
                return device is not None and self.base.device(device)
        return False

    def warehouse(self, wh: Any) -> bool:
        u = self.user
        match u.role:
            case Role.ADMIN | Role.HQ:
                return True
            case Role.CLERK:
                return bool(wh.branch_id == u.branch_id)
            case Role.AGENT:
                return bool(wh.agent_id == u.agent_id)
            case Role.TECHNICIAN:
                return bool(wh.technician_id == self.technician_id)
        return False  # the hotline does no stock work; salespeople and customers hold none

    def technician(self, t: Any) -> bool:
        match self.user.role:
            case Role.ADMIN | Role.HQ | Role.HOTLINE:
                return True
            case Role.CLERK:
                return bool(t.branch_id == self.user.branch_id)
            case Role.TECHNICIAN:
                return bool(t.id == self.technician_id)
        return False

    def route_plan(self, p: Any) -> bool:
        if self.user.role in WIDE:
            return True
        return self.user.role is Role.CLERK and bool(p.branch_id == self.user.branch_id)


@pytest.fixture(scope="module")
def route_plans(database_url: str) -> list[str]:
    """A proposed plan for each of two branches (the demo data has none)."""
    users = {u.username: u for u in (r[0] for r in fetch(database_url, select(m.User)))}
    branches = [users["clerk-sh"].branch_id, users["clerk-bj"].branch_id]

    async def create() -> list[str]:
        engine = create_engine(database_url)
        try:
            async with transaction(session_factory(engine)) as session:
                plans = [
                    m.RoutePlan(branch_id=b, day=dt.date(2026, 1, 5), created_by_id=users["hq"].id)
                    for b in branches
                ]
                session.add_all(plans)
                await session.flush()
                return [p.id for p in plans]
        finally:
            await engine.dispose()

    return asyncio.run(create())


@pytest.fixture(scope="module")
def agent_stock(gql: GraphQL, database_url: str) -> str:
    """Parts received into agent-1's own store (the demo's agents hold none); its id."""
    agent = fetch(database_url, select(m.User.agent_id).where(m.User.username == "agent-1"))
    store = fetch(database_url, select(m.Warehouse.id).where(m.Warehouse.agent_id == agent[0][0]))
    part = fetch(database_url, select(m.Part.id).order_by(m.Part.sku).limit(1))[0][0]
    line = {"partId": global_id("Part", part), "quantity": 2}
    move = {
        "kind": "RECEIPT",
        "toWarehouseId": global_id("Warehouse", store[0][0]),
        "lines": [line],
        "note": "代理商入库",
    }
    ok(payload(gql, "MoveStock", {"input": move}, "hq"))
    return str(store[0][0])


def _listed(gql: GraphQL, query: str, field: str, username: str) -> tuple[set[str], int] | None:
    """The ids a list returns and its total, or None when the role may not ask at all."""
    body = gql.post(query, as_user=username).json()
    if body.get("errors"):
        assert body["data"] is None, body
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], body
        return None
    value = body["data"][field]
    if isinstance(value, list):
        return {raw_id(row["id"]) for row in value}, len(value)
    return {raw_id(e["node"]["id"]) for e in value["edges"]}, value["totalCount"]


def _check_list(
    got: tuple[set[str], int] | None, expected: set[str], what: str, username: str, role: Role
) -> None:
    if got is None:  # the role may not ask for this list at all: nothing can leak
        assert role not in (*WIDE, Role.CLERK), (what, username)  # their daily work
        return
    ids, total = got
    # totalCount stops at COUNT_LIMIT (docs/api.md): other tests may add cards to a branch
    assert total == min(len(expected), COUNT_LIMIT), (what, username)
    assert ids <= expected, (what, username)
    # One page of at most 100; `warehouses` is master data, a plain list of every row in scope.
    assert len(ids) == (total if what == "warehouses" else min(total, 100)), (what, username)


@pytest.mark.parametrize("username", ROLES_UNDER_TEST)
def test_card_warehouse_and_engineer_lists_hold_what_the_role_may_see(
    gql: GraphQL, database_url: str, username: str
) -> None:
    w = world(database_url)
    s = stock(database_url)
    oracle = StockOracle(w, username)
    cards = _listed(
        gql,
        "{ accountCards(first: 100) { totalCount edges { node { id } } } }",
        "accountCards",
        username,
    )
    _check_list(
        cards, {c.id for c in s.cards if oracle.card(c)}, "cards", username, oracle.user.role
    )
    warehouses = _listed(gql, "{ warehouses { id } }", "warehouses", username)
    _check_list(
        warehouses,
        {wh.id for wh in s.warehouses if oracle.warehouse(wh)},
        "warehouses",
        username,
        oracle.user.role,
    )
    technicians = _listed(
        gql,
        "{ technicians(first: 100) { totalCount edges { node { id } } } }",
        "technicians",
        username,
    )
    _check_list(
        technicians,
        {t.id for t in s.technicians if oracle.technician(t) and t.is_active},  # the roster
        "engineers",
        username,
        oracle.user.role,
    )


@pytest.mark.parametrize("username", ROLES_UNDER_TEST)
def test_stock_of_each_warehouse_only_for_those_who_see_it(
    gql: GraphQL, database_url: str, agent_stock: str, username: str
) -> None:
    w = world(database_url)
    s = stock(database_url)
    oracle = StockOracle(w, username)
    query = "query($w: ID!) { stock(warehouseId: $w, first: 100) { edges { node { id } } } }"
    stocked = {b.warehouse_id for b in s.balances}
    checked = 0
    for wh in s.warehouses:
        if wh.id not in stocked:
            continue
        body = gql.post(query, {"w": global_id("Warehouse", wh.id)}, as_user=username).json()
        if oracle.warehouse(wh):
            assert "errors" not in body, (username, wh.code, body)
            got = {raw_id(e["node"]["id"]) for e in body["data"]["stock"]["edges"]}
            assert got <= {b.id for b in s.balances if b.warehouse_id == wh.id}, wh.code
            assert got, (username, wh.code)
        else:
            codes = [e["extensions"]["code"] for e in body["errors"]]
            assert codes in (["NOT_FOUND"], ["FORBIDDEN"]), (username, wh.code, body)
        checked += 1
    kinds = {wh.kind for wh in s.warehouses if wh.id in stocked}
    assert len(kinds) >= 3, kinds  # branch stores, vans and agents' stores at least
    assert checked >= 5
    if oracle.user.role is Role.TECHNICIAN:
        van = {
            b.id
            for b in s.balances
            if next(wh for wh in s.warehouses if wh.id == b.warehouse_id).technician_id
            == oracle.technician_id
        }
        mine = gql.data("{ myVanStock { id } }", as_user=username)["myVanStock"]
        assert {raw_id(b["id"]) for b in mine} <= van
        assert van == set() or mine, username


def _warehouse_kind(wh: Any) -> tuple[Any, ...]:
    return (wh.kind, wh.branch_id, wh.agent_id, wh.technician_id is None)


def _samples(s: Stock, oracle: StockOracle) -> list[tuple[str, Any, bool]]:
    """Rows of each type: (type name, row, may the role see it), a few the role may see and a
    few it may not, then one of every kind of owner the role may see and one it may not.

    A kind of owner is a class of rows the rules tell apart (a branch, an agent, a van or
    not), not each row: the suite's shared database gathers engineers, vans and cards from
    other tests, and one `node` request per row cost minutes without testing another rule."""
    warehouses = {wh.id: wh for wh in s.warehouses}
    typed: list[tuple[str, list[Any], Any, Any]] = [
        (
            "AccountCard",
            s.cards,
            oracle.card,
            lambda c: (c.branch_id, c.agent_id, c.device_id is None),
        ),
        ("Warehouse", s.warehouses, oracle.warehouse, _warehouse_kind),
        (
            "StockBalance",
            s.balances,
            lambda b: oracle.warehouse(warehouses[b.warehouse_id]),
            lambda b: _warehouse_kind(warehouses[b.warehouse_id]),
        ),
        ("Technician", s.technicians, oracle.technician, lambda t: t.branch_id),
        ("RoutePlan", s.route_plans, oracle.route_plan, lambda p: p.branch_id),
    ]
    picked: list[tuple[str, Any, bool]] = []
    for type_name, rows, rule, owner in typed:
        verdicts = [(row, bool(rule(row))) for row in rows]
        chosen = {row.id: (row, v) for row, v in [r for r in verdicts if r[1]][:3]}
        chosen |= {row.id: (row, v) for row, v in [r for r in verdicts if not r[1]][:3]}
        by_owner: dict[Any, tuple[Any, bool]] = {}
        for row, verdict in verdicts:
            by_owner.setdefault((owner(row), verdict), (row, verdict))
        chosen |= {row.id: (row, v) for row, v in by_owner.values()}
        picked += [(type_name, row, v) for row, v in chosen.values()]
    return picked


@pytest.mark.parametrize("username", ROLES_UNDER_TEST)
def test_node_finds_only_what_the_role_may_see(
    gql: GraphQL, database_url: str, route_plans: list[str], agent_stock: str, username: str
) -> None:
    w = world(database_url)
    s = stock(database_url)
    assert set(route_plans) <= {p.id for p in s.route_plans}
    assert agent_stock in {b.warehouse_id for b in s.balances}
    oracle = StockOracle(w, username)
    seen: dict[str, set[bool]] = {}
    for type_name, row, expected in _samples(s, oracle):
        data = gql.data(
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": global_id(type_name, row.id)},
            as_user=username,
        )
        assert (data["node"] is not None) is expected, (username, type_name, row.id)
        seen.setdefault(type_name, set()).add(expected)
    assert set(seen) == {"AccountCard", "Warehouse", "StockBalance", "Technician", "RoutePlan"}
    role = oracle.user.role
    # Each narrower role has something of its own and something it must not find.
    assert seen["AccountCard"] == ({True} if role in WIDE else {True, False}), seen
    if role in (Role.CLERK, Role.TECHNICIAN, Role.AGENT):
        assert seen["Warehouse"] == seen["StockBalance"] == {True, False}, seen
    if role in (Role.CLERK, Role.TECHNICIAN):
        assert seen["Technician"] == {True, False}, seen
    if role is Role.CLERK:
        assert seen["RoutePlan"] == {True, False}, seen
