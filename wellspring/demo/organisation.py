"""The organisation: branches, agents and their outlets, staff and engineers, the catalogue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import update

from ..domain.models import (
    Agent,
    Branch,
    DeviceModel,
    FilterType,
    PriceStandard,
    ServiceOutlet,
    Technician,
)
from ..domain.models.enums import (
    AgentLevel,
    BranchKind,
    OutletLevel,
    PriceKind,
    Role,
    SupplyMode,
    TicketType,
)
from ..geo import cells
from .catalogue import MODELS
from .clock import ref, uid
from .names import AGENT_SUFFIXES, AGENT_WORDS
from .places import HQ, PLACES
from .plans import Tech
from .state import Demo
from .ticket_details import RECHARGE_PRICES


async def write_branches(demo: Demo) -> None:
    created = demo.clock.base - dt.timedelta(days=1500)
    for place in (HQ, *PLACES):
        await demo.writer.add(
            Branch,
            demo.record(ref("branch", place.code), created)
            | {
                "code": place.code,
                "name": place.name,
                "name_en": place.name_en,
                "kind": place.kind,
                "parent_id": None if place is HQ else ref("branch", HQ.code),
                "province": place.province,
                "city": place.city,
                "address": place.address,
                "phone": place.phone,
                "latitude": place.lat,
                "longitude": place.lon,
                "is_active": True,
            },
        )


async def write_agents_and_outlets(demo: Demo) -> None:
    created = demo.clock.base - dt.timedelta(days=900)
    for place in PLACES:
        city_branch = place.kind is BranchKind.BRANCH
        levels = [AgentLevel.CITY_GENERAL]
        if city_branch:
            levels += [AgentLevel.SUB_DISTRIBUTOR, AgentLevel.SUB_DISTRIBUTOR]
        general_id = ""
        demo.agents[place.code] = []
        for k, level in enumerate(levels, start=1):
            code = f"AG-{place.code}-{k:02d}"
            agent_id = uid("agent", code)
            whole = {"province": place.province, "city": place.city, "district": ""}
            if level is AgentLevel.CITY_GENERAL:
                general_id = agent_id
                territory = f"{place.city}全市"
                areas = [whole]
            else:
                picks = demo.rng.sample(place.districts, 2)
                territory = place.city + "、".join(d for d, _ in picks)
                areas = [whole | {"district": d} for d, _ in picks]
                demo.agent_districts[agent_id] = tuple(picks)
            name = place.short + demo.rng.choice(AGENT_WORDS) + demo.rng.choice(AGENT_SUFFIXES)
            limit = 500_000 if level is AgentLevel.CITY_GENERAL else 100_000
            await demo.writer.add(
                Agent,
                demo.record(agent_id, created + dt.timedelta(days=k))
                | {
                    "code": code,
                    "name": name,
                    "level": level,
                    "parent_agent_id": None if agent_id == general_id else general_id,
                    "branch_id": ref("branch", place.code),
                    "territory": territory,
                    "territory_areas": areas,
                    "credit_limit": Decimal(limit),
                    "currency": "CNY",
                    "contact_name": demo.person_name(),
                    "contact_phone": demo.mobile(),
                    "is_active": True,
                },
            )
            # A general agent brings in about as many customers as its sub-distributors.
            demo.agents[place.code].append((agent_id, 2 if k == 1 else 1))
        demo.outlets[place.code] = []
        for k in range(1, 3 if city_branch else 2):
            code = f"SO-{place.code}-{k:02d}"
            district, streets = demo.rng.choice(place.districts)
            outlet_id = uid("outlet", code)
            demo.outlets[place.code].append(outlet_id)
            await demo.writer.add(
                ServiceOutlet,
                demo.record(outlet_id, created + dt.timedelta(days=30 + k))
                | {
                    "code": code,
                    "name": f"{place.short}{district}服务网点",
                    "category": demo.rng.choice(("综合服务网点", "维修站", "安装服务站")),
                    "level": demo.rng.choice(tuple(OutletLevel)),
                    "branch_id": ref("branch", place.code),
                    "agent_id": general_id if k == 2 else None,
                    "credit_limit": Decimal(50_000 * k),
                    "currency": "CNY",
                    "contact_name": demo.person_name(),
                    "contact_phone": demo.mobile(),
                    "address": (
                        f"{place.city}{district}{demo.rng.choice(streets)}"
                        f"{demo.rng.randint(1, 300)}号"
                    ),
                    "is_active": True,
                },
            )


async def write_staff(demo: Demo, per_branch: dict[str, int]) -> None:
    for username, display, role in (
        ("admin", "系统管理员", Role.ADMIN),
        ("hq", "孙丽华", Role.HQ),
        ("hotline", "陈静", Role.HOTLINE),
    ):
        await demo.add_user(username, display, role, HQ.code)
    named_clerks = {"SH": "李娜", "BJ": "王芳"}
    for place in PLACES:
        code = place.code
        display = named_clerks.get(code) or demo.person_name()
        demo.clerks[code] = await demo.add_user(f"clerk-{code.lower()}", display, Role.CLERK, code)
    await demo.add_user("sales-sh-1", "黄敏", Role.SALES, "SH")
    await demo.add_user("sales-bj-1", demo.person_name(), Role.SALES, "BJ")
    await demo.add_user(
        "agent-1", demo.person_name(), Role.AGENT, "SH", agent_id=demo.agents["SH"][0][0]
    )
    named_techs = {"tech-sh-1": "张伟", "tech-sh-2": "王强", "tech-bj-1": "刘洋"}
    field_skills = (
        TicketType.INSTALL,
        TicketType.UNINSTALL,
        TicketType.RELOCATE,
        TicketType.RECHARGE,
        TicketType.CARD_CANCEL,
    )
    core_skills = (TicketType.REPAIR, TicketType.FILTER_CHANGE, TicketType.WATER_TEST)
    for place in PLACES:
        floor = 2 if place.kind is BranchKind.BRANCH else 1
        count = max(floor, round(per_branch[place.code] / 40))
        demo.techs[place.code] = []
        for k in range(1, count + 1):
            username = f"tech-{place.code.lower()}-{k}"
            display = named_techs.get(username) or demo.person_name()
            user_id = await demo.add_user(username, display, Role.TECHNICIAN, place.code)
            if username == "tech-sh-1":
                skills = [*core_skills, *field_skills]
            else:
                chances = (0.7, 0.6, 0.5, 0.5, 0.3)
                extra = [
                    s for s, p in zip(field_skills, chances, strict=True) if demo.rng.random() < p
                ]
                skills = [*core_skills, *extra]
            lat, lon = demo.near(place.lat, place.lon, 8.0)
            outlet = demo.outlets[place.code][0] if k > 2 and demo.rng.random() < 0.25 else None
            tech_id = uid("technician", username)
            await demo.writer.add(
                Technician,
                demo.record(tech_id, demo.clock.base - dt.timedelta(days=400))
                | {
                    "user_id": user_id,
                    "branch_id": ref("branch", place.code),
                    "outlet_id": outlet,
                    "skills": [str(s) for s in skills],
                    "home_latitude": lat,
                    "home_longitude": lon,
                    "home_cell": cells.cell(lat, lon),
                    "shift_start": dt.time(8, 30),
                    "shift_end": dt.time(17, 30),
                    "is_active": True,
                },
            )
            demo.techs[place.code].append(
                Tech(tech_id, user_id, place.code, frozenset(str(s) for s in skills))
            )


async def write_learned_skills(demo: Demo) -> None:
    """Give the engineers sent on a kind of visit no one in their branch had its skill."""
    for techs in demo.techs.values():
        for tech in techs:
            if tech.id in demo.learned:
                skills = [str(t) for t in TicketType if t in tech.skills]
                stmt = update(Technician).where(Technician.id == tech.id).values(skills=skills)
                await demo.session.execute(stmt)


async def write_catalogue(demo: Demo) -> None:
    created = demo.clock.base - dt.timedelta(days=1500)
    # What water costs in each branch's province (a customer's own recharge is priced by it;
    # a city's own standard, set by HQ, would win over it).
    for province in sorted({place.province for place in PLACES}):
        for mode, kind in ((SupplyMode.MONTHLY, PriceKind.RECHARGE_MONTH),
                           (SupplyMode.BUCKETS, PriceKind.RECHARGE_BUCKET)):  # fmt: skip
            await demo.writer.add(
                PriceStandard,
                demo.record(uid("price-standard", f"{province}.{kind}"), created)
                | {
                    "kind": kind,
                    "item_id": "",
                    "province": province,
                    "city": "",
                    "price": RECHARGE_PRICES[mode],
                    "currency": "CNY",
                    "effective_from": created.date(),
                    "effective_to": None,
                    "note": "",
                },
            )
    for model in MODELS:
        model_id = ref("device-model", model.code)
        await demo.writer.add(
            DeviceModel,
            demo.record(model_id, created)
            | {
                "code": model.code,
                "name": model.name,
                "supply_mode": model.supply_mode,
                "list_price": model.list_price,
                "currency": "CNY",
                "is_active": True,
            },
        )
        for stage, (name, days) in enumerate(model.filters, start=1):
            await demo.writer.add(
                FilterType,
                demo.record(uid("filter-type", f"{model.code}.{stage}"), created)
                | {
                    "device_model_id": model_id,
                    "stage": stage,
                    "name": name,
                    "lifetime_days": days,
                },
            )
