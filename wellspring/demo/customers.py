"""Customers, their addresses and contacts."""

from __future__ import annotations

import datetime as dt
import itertools

from ..domain import numbering
from ..domain.models import Address, Contact, Customer
from ..domain.models.enums import CustomerKind, CustomerTier, OwnerKind, Role
from .clock import ref, uid
from .names import COMMUNITIES, GIVEN_2, INDUSTRIES, TRADE_WORDS, cn_number
from .places import PLACES, SH, Place
from .plans import CustomerPlan
from .state import Demo


def plan_owners(demo: Demo) -> list[tuple[Place, str | None, str | None]]:
    """Branch, agent and salesperson of every customer.

    The first dozen are Shanghai customers the featured accounts point at: customer-1's own
    (direct), five of agent-1's and five of sales-sh-1's.
    """
    agent_1 = demo.agents["SH"][0][0]
    sales = {"SH": ref("user", "sales-sh-1"), "BJ": ref("user", "sales-bj-1")}
    owners: list[tuple[Place, str | None, str | None]] = [(SH, None, None)]
    owners += [(SH, agent_1, None)] * 5 + [(SH, None, sales["SH"])] * 5
    weights = list(itertools.accumulate(p.weight for p in PLACES))
    for _ in range(len(owners), demo.scale):
        place = demo.rng.choices(PLACES, cum_weights=weights)[0]
        agent_id = sales_id = None
        if demo.rng.random() < 0.2:
            ids, agent_weights = zip(*demo.agents[place.code], strict=True)
            agent_id = demo.rng.choices(ids, agent_weights)[0]
        elif place.code in sales and demo.rng.random() < 0.15:
            sales_id = sales[place.code]
        owners.append((place, agent_id, sales_id))
    return owners


def organisation_name(demo: Demo, kind: str, place: Place, district: str, street: str) -> str:
    word = demo.rng.choice(TRADE_WORDS)
    if kind == "company":
        return f"{place.short}{word}{demo.rng.choice(INDUSTRIES)}有限公司"
    if kind == "school":
        return demo.rng.choice(
            (
                f"{place.short}市第{cn_number(demo.rng.randint(1, 60))}中学",
                f"{district}实验小学",
                f"{district}第{cn_number(demo.rng.randint(1, 20))}小学",
                f"{place.short}{word}幼儿园",
            )
        )
    return demo.rng.choice(
        (
            f"{street}办事处",
            f"{place.short}{word}律师事务所",
            f"{place.short}{word}会计师事务所",
        )
    )


async def write_customers(demo: Demo, owners: list[tuple[Place, str | None, str | None]]) -> None:
    tiers = tuple(CustomerTier)  # VIP, GOLD, SILVER, IRON
    for n, (place, agent_id, sales_id) in enumerate(owners):
        roll = 0.0 if n == 0 else demo.rng.random()
        kinds = (0.9, "person"), (0.96, "company"), (0.985, "school"), (1.0, "office")
        kind = next(k for bound, k in kinds if roll < bound)
        # A sub-distributor's customers live in its districts (its territory, as the check
        # of a new customer through it would demand).
        districts = demo.agent_districts.get(agent_id or "", place.districts)
        district, streets = demo.rng.choice(districts)
        street = demo.rng.choice(streets)
        if kind == "person":
            name = demo.person_name()
            tier = demo.rng.choices(tiers, cum_weights=(2, 10, 30, 100))[0]
        else:
            name = organisation_name(demo, kind, place, district, street)
            tier = demo.rng.choices(tiers, cum_weights=(15, 45, 75, 100))[0]
        phone = demo.mobile()
        created = demo.clock.base - dt.timedelta(
            days=demo.rng.randint(20, 1400), seconds=demo.rng.randrange(86400)
        )
        customer = CustomerPlan(
            n, place, kind, agent_id, uid("address", n), district, street, created
        )
        demo.customers.append(customer)
        await demo.writer.add(
            Customer,
            demo.record(customer.id, created)
            | {
                "code": numbering.format_number(numbering.CUSTOMER, n + 1),
                "name": name,
                "kind": CustomerKind.PERSON if kind == "person" else CustomerKind.ORGANIZATION,
                "tier": tier,
                "phone": phone,
                "owner_kind": OwnerKind.AGENT if agent_id else OwnerKind.BRANCH,
                "branch_id": customer.branch_id,
                "agent_id": agent_id,
                "sales_user_id": sales_id,
                # Round-robin, so the random stream (and the rest of the data) is unchanged.
                "service_technician_id": demo.techs[place.code][n % len(demo.techs[place.code])].id
                if demo.techs.get(place.code)
                else None,
                "note": "VIP客户，优先上门" if tier is CustomerTier.VIP else "",
                "is_active": True,
            },
        )
        label = "家" if kind == "person" else "单位"
        await add_address(
            demo, customer, n, district, street, label=label, default=True, org_name=name
        )
        if kind == "person" and demo.rng.random() < 0.7:
            contact_name, contact_phone, relation = name, phone, "本人"
        elif kind == "person":
            relation = demo.rng.choice(("配偶", "子女", "父母"))
            contact_name = (
                demo.person_name() if relation == "配偶" else name[0] + demo.rng.choice(GIVEN_2)
            )
            contact_phone = demo.mobile()
        else:
            relation = demo.rng.choice(("行政", "后勤", "总务处", "办公室"))
            contact_name, contact_phone = demo.person_name(), demo.mobile()
        await demo.writer.add(
            Contact,
            demo.record(uid("contact", n), created)
            | {
                "customer_id": customer.id,
                "name": contact_name,
                "phone": contact_phone,
                "relation": relation,
                "is_primary": True,
            },
        )
        if n == 0:
            await demo.writer.flush()
            await demo.add_user("customer-1", name, Role.CUSTOMER, "SH", customer_id=customer.id)


async def add_address(
    demo: Demo,
    customer: CustomerPlan,
    n: int,
    district: str,
    street: str,
    *,
    label: str,
    default: bool,
    org_name: str = "",
    created: dt.datetime | None = None,
) -> str:
    place = customer.place
    if customer.kind == "person":
        community = demo.rng.choice(COMMUNITIES)
        building = f"{demo.rng.randint(1, 30)}号楼"
        room = f"{demo.rng.randint(1, 33)}{demo.rng.randint(1, 4):02d}室"
    elif customer.kind == "school":
        community, building, room = org_name, demo.rng.choice(("教学楼", "行政楼", "食堂")), ""
    else:
        word = demo.rng.choice(TRADE_WORDS)
        community = word + demo.rng.choice(("大厦", "商务中心", "科技园"))
        building = demo.rng.choice(("A座", "B座", "1号楼", "2号楼"))
        room = f"{demo.rng.randint(2, 28)}{demo.rng.randint(1, 20):02d}室"
    lat, lon = demo.near(place.lat, place.lon, 5.0)
    address_id = uid("address", n)
    await demo.writer.add(
        Address,
        demo.record(address_id, created or customer.created_at)
        | {
            "customer_id": customer.id,
            "label": label,
            "province": place.province,
            "city": place.city,
            "district": district,
            "street": street,
            "community": community,
            "building": building,
            "room": room,
            "postal_code": place.postal_code,
            "latitude": lat,
            "longitude": lon,
            "is_approximate": (approximate := demo.rng.random() < 0.05),
            "coordinate_source": "centroid" if approximate else "client",
            "is_default": default,
        },
    )
    return address_id
