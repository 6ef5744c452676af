"""Dealer rules whatever door is used (issue 18), each run in a transaction rolled back: the
territory's pure checks, HQ ordering for an agent, what a shipment refuses, agent edits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import in_rollback, unique
from wellspring.domain.actor import Actor
from wellspring.domain.agents import dealers, orders, prices, shipping, territory
from wellspring.domain.errors import DomainError
from wellspring.domain.models import Agent, Branch, DeviceModel, Part, User, Warehouse
from wellspring.domain.models.enums import (
    AgentLevel,
    AgentOrderItem,
    AgentOrderStatus,
    PriceKind,
    Role,
    WarehouseKind,
)

AREA = territory.Area(province="上海市", city="上海市", district="")


def test_areas_are_checked_deduplicated_and_bounded() -> None:
    twice = [
        AREA,
        territory.Area(" 上海市 ", "上海市"),
        territory.Area("上海市", "上海市", "徐汇区"),
    ]
    areas = territory.checked_areas(twice)
    assert len(areas) == 2
    assert territory.covers(areas, "上海市", "上海市", "浦东新区")  # the whole city
    assert not territory.covers(areas, "北京市", "北京市", "朝阳区")
    only_xuhui = [{"province": "上海市", "city": "上海市", "district": "徐汇区"}]
    assert territory.covers(only_xuhui, "上海市", "上海市", "徐汇区")
    assert not territory.covers(only_xuhui, "上海市", "上海市", "浦东新区")
    parent = Agent(territory_areas=only_xuhui)
    assert territory.within(only_xuhui, parent)
    assert not territory.within([{"province": "上海市", "city": "上海市", "district": ""}], parent)
    with pytest.raises(DomainError) as too_many:
        territory.checked_areas([AREA] * 51)
    assert too_many.value.code == "TOO_MANY_ITEMS"
    with pytest.raises(DomainError) as long_name:
        territory.checked_areas([territory.Area("上海市", "x" * 51)])
    assert long_name.value.code == "INVALID_TERRITORY"


async def _hq(session: AsyncSession) -> Actor:
    user = (await session.execute(select(User).where(User.username == "hq"))).scalar_one()
    return Actor(user_id=user.id, username="hq", role=Role.HQ, branch_id=user.branch_id)


async def _agent(session: AsyncSession, hq: Actor, **fields: Any) -> Agent:
    sh = await session.scalar(select(Branch.id).where(Branch.code == "SH"))
    change = dealers.AgentChange(code=unique("AG"), name="测试代理", branch_id=sh, **fields)
    return await dealers.upsert_agent(session, hq, change=change)


async def _code(call: Callable[[], Awaitable[Any]]) -> str:
    try:
        await call()
    except DomainError as error:
        return error.code
    return "done"


def test_hq_orders_for_an_agent_and_the_order_lines_are_checked(database_url: str) -> None:
    async def body(session: AsyncSession) -> list[str]:
        hq = await _hq(session)
        agent = await _agent(session, hq, credit_limit=Decimal("1000000"))
        part = await session.scalar(select(Part.id).where(Part.is_active).limit(1))
        assert part is not None
        line = orders.OrderLineRequest(item=AgentOrderItem.PART, quantity=1, part_id=part)
        order = await orders.place_agent_order(session, hq, lines=[line], agent_id=agent.id)
        assert order.agent_id == agent.id
        assert order.needs_approval is False
        listed = await orders.orders_page(
            session, hq, agent_id=agent.id, status=AgentOrderStatus.SUBMITTED, first=5, after=None
        )
        assert [o.id for o in listed.items] == [order.id]
        await orders.confirm_agent_order(session, hq, order_id=order.id)
        cancelled = await orders.cancel_agent_order(session, hq, order_id=order.id, reason="缺货")
        assert cancelled.status is AgentOrderStatus.CANCELLED  # HQ may cancel a confirmed one
        model = await session.scalar(select(DeviceModel.id).limit(1))

        def place(*lines: orders.OrderLineRequest, agent_id: str = agent.id) -> Any:
            return lambda: orders.place_agent_order(session, hq, lines=lines, agent_id=agent_id)

        machine_without_model = orders.OrderLineRequest(item=AgentOrderItem.MACHINE, quantity=1)
        part_with_model = orders.OrderLineRequest(
            item=AgentOrderItem.PART, quantity=1, part_id=part, device_model_id=model
        )
        zero = orders.OrderLineRequest(item=AgentOrderItem.CARD, quantity=0)
        codes = [
            await _code(place(*([line] * 51))),
            await _code(place(zero)),
            await _code(place(machine_without_model)),
            await _code(place(part_with_model)),
        ]
        agent.is_active = False
        codes.append(await _code(place(line)))
        login = Actor(user_id="", username="a", role=Role.AGENT, agent_id=agent.id)
        codes.append(await _code(lambda: dealers.own_agent(session, login)))
        return codes

    assert in_rollback(database_url, body) == [
        "TOO_MANY_ITEMS",
        "QUANTITY_OUT_OF_RANGE",
        "INVALID_ORDER_LINE",
        "INVALID_ORDER_LINE",
        "AGENT_INACTIVE",
        "AGENT_INACTIVE",
    ]


def test_a_shipment_refuses_what_it_cannot_do_in_full(database_url: str) -> None:
    async def body(session: AsyncSession) -> list[str]:
        hq = await _hq(session)
        agent = await _agent(session, hq, credit_limit=Decimal("1000000"))
        model = await session.scalar(select(DeviceModel.id).limit(1))
        assert model is not None
        hq_warehouse = await session.scalar(select(Warehouse.id).where(Warehouse.code == "WH-HQ"))
        station = await session.scalar(
            select(Warehouse.id).where(Warehouse.kind == WarehouseKind.REPAIR_STATION).limit(1)
        )
        assert hq_warehouse
        assert station

        async def confirmed(*lines: orders.OrderLineRequest) -> str:
            order = await orders.place_agent_order(session, hq, lines=lines, agent_id=agent.id)
            await orders.confirm_agent_order(session, hq, order_id=order.id)
            return order.id

        cards = await confirmed(orders.OrderLineRequest(item=AgentOrderItem.CARD, quantity=2))

        def ship(order_id: str, source: str = hq_warehouse, **named: Any) -> Any:
            return lambda: shipping.ship_agent_order(
                session, hq, order_id=order_id, from_warehouse_id=source, **named
            )

        codes = [await _code(ship(cards))]  # the agent has no warehouse yet
        session.add(
            Warehouse(code=unique("WA"), name="代理库", kind=WarehouseKind.AGENT, agent_id=agent.id)
        )
        await session.flush()
        machines = await confirmed(
            orders.OrderLineRequest(item=AgentOrderItem.MACHINE, quantity=1, device_model_id=model)
        )
        codes += [
            await _code(ship(cards, station)),
            await _code(ship(cards, card_numbers=["0000000001", "0000000002"])),
            await _code(ship(machines, serial_numbers=[unique("SN")])),
            await _code(ship(cards, card_numbers=["1"] * 1001)),
        ]
        return codes

    assert in_rollback(database_url, body) == [
        "NO_AGENT_WAREHOUSE",
        "NO_WAREHOUSE",
        "NOT_ENOUGH_CARDS",
        "NOT_ENOUGH_MACHINES",
        "TOO_MANY_ITEMS",
    ]


def test_agents_are_edited_in_place_and_the_tree_follows(database_url: str) -> None:
    async def body(session: AsyncSession) -> None:
        hq = await _hq(session)
        general = await _agent(session, hq, territory_areas=[AREA])
        sub = await _agent(
            session, hq, level=AgentLevel.SUB_DISTRIBUTOR, parent_agent_id=general.id
        )
        bj = await session.scalar(select(Branch.id).where(Branch.code == "BJ"))
        promoted = await dealers.upsert_agent(
            session,
            hq,
            change=dealers.AgentChange(
                id=sub.id,
                code=unique("AP"),
                name="升级总代",
                level=AgentLevel.CITY_GENERAL,
                branch_id=bj,
            ),
        )
        assert promoted.parent_agent_id is None
        assert promoted.branch_id == bj
        clerk = Actor(user_id="", username="c", role=Role.CLERK, branch_id=bj)
        page = await dealers.agents_page(session, clerk, search="升级", first=10, after=None)
        assert [a.id for a in page.items] == [promoted.id]
        standard = await prices.upsert_price_standard(
            session,
            hq,
            change=prices.PriceChange(
                kind=PriceKind.RECHARGE_YEAR,
                province=unique("省"),
                price=Decimal("600"),
                effective_from=general.created_at.date(),
            ),
        )
        edited = await prices.upsert_price_standard(
            session,
            hq,
            change=prices.PriceChange(
                id=standard.id, price=Decimal("900"), kind=PriceKind.RECHARGE_YEAR
            ),
        )
        assert edited.price == Decimal("900")
        with pytest.raises(DomainError) as stray_item:
            await prices.upsert_price_standard(
                session, hq, change=prices.PriceChange(id=standard.id, item_id="x")
            )
        assert stray_item.value.code == "INVALID_ARGUMENT"

    in_rollback(database_url, body)
