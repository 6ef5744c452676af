"""A fresh customer of the Shanghai branch with a login and an installed device of their own,
as customer-1 has in the demo: the tests of what a signed-in customer may do leave the demo's
customers, and every count other tests take, as they were."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from tests.conftest import GraphQL, run
from tests.factories import unique
from wellspring.domain import models as m
from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.masterdata.users import NewLogin, create_login
from wellspring.domain.models.enums import DeviceStatus, OwnerKind, Role, SupplyMode
from wellspring.schema.core.ids import global_id

PASSWORD = "demo-demo-1"


@dataclass(frozen=True)
class OwnCustomer:
    username: str
    customer: str  # global ids
    device: str
    province: str
    city: str


async def _make(url: str, mode: SupplyMode, province: str, city: str) -> OwnCustomer:
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            sh = await session.scalar(select(m.Branch).where(m.Branch.code == "SH"))
            assert sh is not None
            model = await session.scalar(
                select(m.DeviceModel).where(m.DeviceModel.code.in_(("WS-100", "WS-500")))
            )
            assert model is not None
            customer = m.Customer(
                code=unique("OC"),
                name=unique("客户"),
                phone="139" + str(uuid.uuid4().int)[:8],
                owner_kind=OwnerKind.BRANCH,
                branch_id=sh.id,
            )
            session.add(customer)
            await session.flush()
            address = m.Address(
                customer_id=customer.id,
                province=province,
                city=city,
                district="徐汇区",
                latitude=31.19,
                longitude=121.44,
                is_default=True,
            )
            session.add(address)
            await session.flush()
            device = m.Device(
                serial_number=unique("SN"),
                device_model_id=model.id,
                status=DeviceStatus.INSTALLED,
                branch_id=sh.id,
                customer_id=customer.id,
                address_id=address.id,
                supply_mode=mode,
            )
            session.add(device)
            username = unique("own-customer")
            await create_login(
                session,
                SYSTEM,
                login=NewLogin(
                    username=username,
                    password=PASSWORD,
                    role=Role.CUSTOMER,
                    customer_id=customer.id,
                ),
            )
            await session.flush()
            return OwnCustomer(
                username=username,
                customer=global_id("Customer", customer.id),
                device=global_id("Device", device.id),
                province=province,
                city=city,
            )
    finally:
        await engine.dispose()


def own_customer(
    gql: GraphQL,
    database_url: str,
    *,
    mode: SupplyMode = SupplyMode.MONTHLY,
    province: str = "上海市",
    city: str = "上海市",
) -> OwnCustomer:
    """A new customer signed in on ``gql`` (``as_user=own.username``) with one installed
    device of ``mode`` at an address in ``province``/``city``."""
    own = run(_make(database_url, mode, province, city))
    gql.sign_in(own.username, PASSWORD)
    return own
