"""A small hand-made world for the reports' figures (never the demo data).

Every number the tests expect is worked out by hand in test_figures.py from these rows.
Times are Asia/Shanghai; the clock stands at 2026-12-02 12:00.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.domain.actor import Actor
from wellspring.domain.auth import hash_password
from wellspring.domain.config import TIME_ZONE
from wellspring.domain.models import (
    AccountCard,
    Agent,
    Branch,
    Customer,
    Device,
    DeviceModel,
    FilterType,
    FollowUp,
    Job,
    JobStatusChange,
    MissedCall,
    Part,
    StockEntry,
    Technician,
    Ticket,
    User,
    Warehouse,
    WaterTest,
)
from wellspring.domain.models.enums import (
    AgentLevel,
    BranchKind,
    CardStatus,
    Channel,
    DeviceStatus,
    Dissatisfaction,
    FollowUpStatus,
    JobStatus,
    LedgerKind,
    MissedCallStatus,
    OwnerKind,
    Role,
    StockBin,
    SupplyMode,
    TicketStatus,
    TicketType,
    WarehouseKind,
)

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=TIME_ZONE)
BRANCH_A = "00000000-0000-4000-8000-0000000000aa"
BRANCH_B = "00000000-0000-4000-8000-0000000000bb"
PASSWORD = "reports-pass-1"  # every login of the world (r-hq, r-clerk, r-agent, r-t1 ...)


def at(month: int, day: int, hour: int = 8, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TIME_ZONE)


@dataclass
class World:
    ids: dict[str, str] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)


async def build(session: AsyncSession) -> World:
    w = World()
    rows: dict[str, Any] = {}

    def add(name: str, row: Any) -> Any:
        session.add(row)
        rows[name] = row
        return row

    a = add("A", Branch(id=BRANCH_A, code="RA", name="甲分公司", kind=BranchKind.BRANCH))
    b = add("B", Branch(id=BRANCH_B, code="RB", name="乙分公司", kind=BranchKind.BRANCH))
    await session.flush()
    g = add("G", Agent(code="RG", name="代理", level=AgentLevel.CITY_GENERAL, branch_id=a.id))
    await session.flush()
    users = {}
    hashed = hash_password(PASSWORD)
    for name, role, branch, agent in (
        ("hq", Role.HQ, None, None),
        ("clerk", Role.CLERK, a.id, None),
        ("agent", Role.AGENT, a.id, g.id),
        ("t1", Role.TECHNICIAN, a.id, None),
        ("t2", Role.TECHNICIAN, b.id, None),
        ("customer", Role.CUSTOMER, a.id, None),
    ):
        users[name] = add(
            f"user-{name}",
            User(
                username=f"r-{name}",
                display_name=name,
                password_hash=hashed,
                role=role,
                branch_id=branch,
                agent_id=agent,
            ),
        )
    await session.flush()
    t1 = add("T1", Technician(user_id=users["t1"].id, branch_id=a.id))
    t2 = add("T2", Technician(user_id=users["t2"].id, branch_id=b.id))
    ca = add("cA", Customer(code="RCA", name="甲客户", phone="13800000001", branch_id=a.id))
    cb = add("cB", Customer(code="RCB", name="乙客户", phone="13800000002", branch_id=b.id))
    cg = add(
        "cG",
        Customer(
            code="RCG",
            name="代理客户",
            phone="13800000003",
            branch_id=a.id,
            agent_id=g.id,
            owner_kind=OwnerKind.AGENT,
        ),
    )
    m1 = add("M1", DeviceModel(code="RM1", name="桶装机", supply_mode=SupplyMode.BUCKETS))
    m2 = add("M2", DeviceModel(code="RM2", name="月费机", supply_mode=SupplyMode.MONTHLY))
    await session.flush()
    add(
        "F1",
        FilterType(
            device_model_id=m1.id, stage=1, name="PP棉", lifetime_days=180, capacity_buckets=10
        ),
    )
    add("F2", FilterType(device_model_id=m2.id, stage=1, name="RO膜", lifetime_days=90))

    def device(
        name: str, model: DeviceModel, customer: Customer, opened: dt.date, **kw: Any
    ) -> Device:
        return add(
            name,
            Device(
                serial_number=f"RS-{name}",
                device_model_id=model.id,
                status=DeviceStatus.INSTALLED,
                opened_on=opened,
                branch_id=customer.branch_id,
                agent_id=customer.agent_id,
                customer_id=customer.id,
                supply_mode=model.supply_mode,
                **kw,
            ),
        )

    da = device("dA", m1, ca, dt.date(2026, 10, 1), bucket_balance=2, first_recharged_at=at(11, 12))
    db = device("dB", m2, cb, dt.date(2026, 1, 1), supply_expires_on=dt.date(2026, 11, 25))
    device("dB2", m2, cb, dt.date(2026, 1, 1), supply_expires_on=dt.date(2026, 12, 1))
    dg = device("dG", m1, cg, dt.date(2026, 11, 1))
    # The hotline's missed calls: in November A's customer twice (one called back and
    # reached), B's customer once, an unknown caller once; October's does not count.
    for n, (branch, customer, day, status) in enumerate(
        [
            (a, ca, at(11, 3), MissedCallStatus.RETURNED),
            (a, ca, at(11, 20), MissedCallStatus.OPEN),
            (b, cb, at(11, 21), MissedCallStatus.OPEN),
            (None, None, at(11, 22), MissedCallStatus.OPEN),
            (a, ca, at(10, 30), MissedCallStatus.RETURNED),
        ]
    ):
        session.add(
            MissedCall(
                call_id=f"r-call-{n}",
                caller_number="13800000001",
                phone="13800000001",
                called_at=day,
                customer_id=customer.id if customer else None,
                branch_id=branch.id if branch else None,
                status=status,
            )
        )
    await session.flush()
    w.actors = {
        "hq": Actor(user_id=users["hq"].id, username="r-hq", role=Role.HQ),
        "clerk": Actor(
            user_id=users["clerk"].id, username="r-clerk", role=Role.CLERK, branch_id=a.id
        ),
        "agent": Actor(
            user_id=users["agent"].id,
            username="r-agent",
            role=Role.AGENT,
            branch_id=a.id,
            agent_id=g.id,
        ),
        "technician": Actor(
            user_id=users["t1"].id, username="r-t1", role=Role.TECHNICIAN, technician_id=t1.id
        ),
        "customer": Actor(
            user_id=users["customer"].id,
            username="r-customer",
            role=Role.CUSTOMER,
            customer_id=ca.id,
        ),
        "sales": Actor(user_id=users["hq"].id, username="r-sales", role=Role.SALES),
    }
    hq = users["hq"].id

    def ticket(
        name: str, type_: TicketType, customer: Customer, dev: Device | None, **kw: Any
    ) -> Ticket:
        return add(
            name,
            Ticket(
                number=f"RT-{name}",
                type=type_,
                customer_id=customer.id,
                branch_id=customer.branch_id,
                device_id=dev.id if dev else None,
                created_by_id=hq,
                **kw,
            ),
        )

    t_1 = ticket(
        "t1",
        TicketType.REPAIR,
        ca,
        da,
        created_at=at(11, 2),
        completed_at=at(11, 3),
        status=TicketStatus.CLOSED,
    )
    t_2 = ticket(
        "t2",
        TicketType.REPAIR,
        cb,
        db,
        created_at=at(11, 5),
        completed_at=at(11, 7),
        status=TicketStatus.CLOSED,
    )
    ticket(
        "t3",
        TicketType.INSTALL,
        cg,
        dg,
        created_at=at(11, 10),
        due_at=at(11, 11),
        status=TicketStatus.DISPATCHED,
    )
    recharge = {"plan": "BUCKETS", "quantity": 12, "unit_price": "8.00", "payment_method": "CASH"}
    t_4 = ticket(
        "t4",
        TicketType.RECHARGE,
        ca,
        da,
        created_at=at(11, 12),
        completed_at=at(11, 12, 10),
        status=TicketStatus.CLOSED,
        details={"recharge": recharge},
    )
    ticket(
        "t5",
        TicketType.COMPLAINT,
        cb,
        None,
        created_at=at(10, 15),
        due_at=at(10, 16),
        status=TicketStatus.APPROVED,
    )
    t_6 = ticket(
        "t6",
        TicketType.REPAIR,
        cg,
        dg,
        created_at=at(11, 15),
        due_at=at(12, 31),
        status=TicketStatus.CREATED,
    )
    ticket(
        "t7",
        TicketType.FILTER_CHANGE,
        cb,
        db,
        created_at=at(10, 1),
        status=TicketStatus.APPROVED,
        channel=Channel.HOTLINE,
    )
    await session.flush()

    def job(name: str, tk: Ticket, tech: Technician, status: JobStatus, **kw: Any) -> Job:
        return add(
            name,
            Job(
                number=f"RJ-{name}",
                ticket_id=tk.id,
                branch_id=tk.branch_id,
                technician_id=tech.id,
                status=status,
                **kw,
            ),
        )

    j1 = job(
        "j1",
        t_1,
        t1,
        JobStatus.COMPLETED,
        started_travel_at=at(11, 2, 9),
        arrived_at=at(11, 2, 10),
        completed_at=at(11, 3),
        report={"fault_code": "E01", "travel_distance_km": 12.5},
    )
    j2a = job("j2a", t_2, t2, JobStatus.FAILED, arrived_at=at(11, 5, 12))
    j2b = job(
        "j2b",
        t_2,
        t2,
        JobStatus.COMPLETED,
        started_travel_at=at(11, 7, 6),
        arrived_at=at(11, 7, 7),
        completed_at=at(11, 7, 8),
        report={"fault_code": "E02", "travel_distance_km": 3},
    )
    await session.flush()
    session.add(
        JobStatusChange(
            job_id=j2a.id,
            from_status=JobStatus.ON_SITE,
            to_status=JobStatus.FAILED,
            at=at(11, 5, 13),
        )
    )

    def follow_up(
        tk: Ticket, score: int, when: dt.datetime, why: Dissatisfaction | None = None
    ) -> None:
        session.add(
            FollowUp(
                ticket_id=tk.id,
                status=FollowUpStatus.DONE,
                score=score,
                dissatisfaction=why,
                recorded_at=when,
                due_at=when,
            )
        )

    follow_up(t_1, 5, at(11, 4))
    follow_up(t_2, 2, at(11, 8), Dissatisfaction.SLOW_REPAIR)
    follow_up(t_4, 4, at(11, 30, 23, 30))  # still November in Shanghai (15:30 UTC)
    follow_up(t_6, 1, at(12, 1, 0, 30), Dissatisfaction.ATTITUDE)  # December in Shanghai

    session.add_all(
        [
            AccountCard(
                card_number="RC-A",
                secret_hash="!",
                status=CardStatus.ACTIVE,
                branch_id=a.id,
                customer_id=ca.id,
                activated_at=at(11, 2),
            ),
            AccountCard(
                card_number="RC-B",
                secret_hash="!",
                status=CardStatus.AWAITING_ACTIVATION,
                branch_id=b.id,
                activated_at=at(9, 1),
                cancelled_at=at(11, 10),
            ),
            AccountCard(
                card_number="RC-G",
                secret_hash="!",
                status=CardStatus.ACTIVE,
                branch_id=a.id,
                agent_id=g.id,
                customer_id=cg.id,
                activated_at=at(10, 1),
            ),
        ]
    )
    van = add("van", Warehouse(code="RV1", name="车", kind=WarehouseKind.VAN, branch_id=a.id))
    part = add("P1", Part(sku="RP1", name="滤芯", cost=Decimal("10")))
    await session.flush()
    for delta, kind, jb, when in (
        (-2, LedgerKind.CONSUMPTION, j1, at(11, 3)),
        (1, LedgerKind.REVERSAL, j1, at(11, 3, 9)),
        (-3, LedgerKind.CONSUMPTION, j2b, at(11, 7, 8)),
        (-9, LedgerKind.CONSUMPTION, j2b, at(10, 7, 8)),  # October: outside the period
    ):
        session.add(
            StockEntry(
                warehouse_id=van.id,
                part_id=part.id,
                bin=StockBin.GOOD,
                delta=delta,
                kind=kind,
                job_id=jb.id,
                created_at=when,
            )
        )
    for tds, when in ((20.0, at(11, 5)), (40.0, at(11, 25))):
        session.add(WaterTest(device_id=dg.id, tested_at=when, tds_mg_l=tds, passed=True))
    await session.flush()
    w.ids = {name: row.id for name, row in rows.items()}
    return w
