"""Machines and account cards: those at customers' sites and those in stock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..domain.models.enums import CardStatus, DeviceStatus, SupplyMode
from .catalogue import MODEL_CHOICE, MODELS
from .clock import CHINA, ref
from .places import PLACES
from .plans import CardPlan, CustomerPlan, DevicePlan
from .state import Demo


def new_device(demo: Demo, customer: CustomerPlan, installed_at: dt.datetime) -> DevicePlan:
    models, cum_weights = MODEL_CHOICE[customer.kind]
    model = demo.rng.choices(models, cum_weights=cum_weights)[0]
    discount = demo.rng.choice((Decimal("1"), Decimal("0.95"), Decimal("0.9"), Decimal("0.8")))
    device = DevicePlan(
        n=len(demo.devices),
        model=model,
        status=DeviceStatus.INSTALLED,
        branch_id=customer.branch_id,
        agent_id=customer.agent_id,
        created_at=installed_at - demo.minutes(60 * 24, 60 * 24 * 30),
        customer_id=customer.id,
        address_id=customer.address_id,
        installed_at=installed_at,
        updated_at=installed_at,
        price=(model.list_price * discount).quantize(Decimal("0.01")),
    )
    if model.supply_mode is SupplyMode.MONTHLY:
        roll = demo.rng.random()
        if roll < 0.1:
            days = -demo.rng.randint(1, 120)  # lapsed
        elif roll < 0.25:
            days = demo.rng.randint(0, 30)  # expiring soon
        else:
            days = demo.rng.randint(31, 400)
        # A machine installed lately cannot have lapsed yet: it starts with a month or more.
        installed_on = installed_at.astimezone(CHINA).date()
        device.supply_expires_on = max(
            demo.clock.today + dt.timedelta(days=days), installed_on + dt.timedelta(days=30)
        )
    else:
        low = demo.rng.random() < 0.1
        device.bucket_balance = demo.rng.randint(0, 3) if low else demo.rng.randint(5, 120)
    if demo.rng.random() < 0.95:
        device.first_recharged_at = installed_at + demo.minutes(10, 120)
    demo.devices.append(device)
    customer.devices.append(device)
    card = CardPlan(
        n=len(demo.cards),
        status=CardStatus.ACTIVE,
        branch_id=customer.branch_id,
        agent_id=customer.agent_id,
        customer_id=customer.id,
        device_id=device.id,
        created_at=device.created_at,
        activated_at=installed_at,
    )
    demo.cards.append(card)
    device.card = card
    return device


def plan_devices(demo: Demo) -> None:
    for customer in demo.customers:
        if customer.kind == "person":
            count = 2 if demo.rng.random() < 0.15 else 1
        else:
            count = demo.rng.randint(
                *{"company": (1, 3), "school": (2, 4), "office": (1, 2)}[customer.kind]
            )
        for k in range(count):
            first = customer.created_at + demo.minutes(60, 60 * 24 * 10)
            later = first + dt.timedelta(days=demo.rng.randint(30, 400) * k)
            new_device(
                demo,
                customer,
                demo.working_before(min(later, demo.clock.base - dt.timedelta(days=2))),
            )
    created = demo.clock.base - dt.timedelta(days=60)
    for place in PLACES:
        branch_id = ref("branch", place.code)
        owners: list[str | None] = [None] * demo.rng.randint(3, 6)
        owners += [agent_id for agent_id, _ in demo.agents[place.code]]
        for agent_id in owners:
            model = demo.rng.choice(MODELS)
            demo.devices.append(
                DevicePlan(
                    len(demo.devices),
                    model,
                    DeviceStatus.IN_STOCK,
                    branch_id,
                    agent_id,
                    created,
                )
            )
        stock_cards: list[tuple[CardStatus, str | None]] = [(CardStatus.IN_STOCK, None)] * 8
        stock_cards += [(CardStatus.AWAITING_ACTIVATION, None)] * 3
        stock_cards += [
            (CardStatus.IN_STOCK, a) for a, _ in demo.agents[place.code] for _ in range(3)
        ]
        for status, agent_id in stock_cards:
            card = CardPlan(len(demo.cards), status, branch_id, agent_id, None, None, created)
            if status is CardStatus.AWAITING_ACTIVATION:
                card.activated_at = created - dt.timedelta(days=demo.rng.randint(100, 700))
                card.cancelled_at = created - dt.timedelta(days=demo.rng.randint(1, 90))
                card.created_at = card.activated_at - dt.timedelta(days=3)
            demo.cards.append(card)
