"""What demo tickets were opened with (tickets.details), as OpenTicket would keep it.

Each install not yet done names its card and machine, as OpenTicket would have kept them:
an unbound card of the customer's agent (or branch) and a machine in the branch's stock, each
named by no other demo ticket. Chosen in plan order without drawing from the random stream, so
the rest of the demo stays as it was; a branch that runs short gets more stock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..domain.models.enums import CardStatus, DeviceStatus, SupplyMode, TicketStatus, TicketType
from ..domain.workflow.requests import PaymentMethod, RechargeRequest
from .catalogue import MODELS
from .plans import CardPlan, CustomerPlan, DevicePlan
from .state import Demo

_UNBOUND = (CardStatus.IN_STOCK, CardStatus.AWAITING_ACTIVATION)

# What a month or a bucket of water costs, as the hotline would take the payment; the payment
# method turns with the ticket's place in the plan, so no random draw is spent on it.
RECHARGE_PRICES = {SupplyMode.MONTHLY: Decimal("68.00"), SupplyMode.BUCKETS: Decimal("15.00")}


def recharge_details(device: DevicePlan, quantity: int, k: int) -> dict[str, Any]:
    """A recharge's details as OpenTicket keeps them (RechargeRequest.validated)."""
    methods = tuple(PaymentMethod)
    return RechargeRequest(
        plan=device.model.supply_mode,
        quantity=quantity,
        unit_price=RECHARGE_PRICES[device.model.supply_mode],
        payment_method=methods[k % len(methods)],
    ).validated()


def assign_install_stock(demo: Demo) -> None:
    """Run after the tickets are planned and before devices and cards are written."""
    cards = [c for c in demo.cards if c.status in _UNBOUND and c.customer_id is None]
    machines = [d for d in demo.devices if d.status is DeviceStatus.IN_STOCK]
    taken_cards: set[str] = set()
    taken_machines: set[str] = set()
    for t in demo.tickets:
        if t.type is not TicketType.INSTALL:
            continue
        if any(s.status is TicketStatus.COMPLETED for s in t.steps):
            continue  # done: its machine is installed and its card active already
        card = _card(demo, t.customer, cards, taken_cards)
        machine = _machine(demo, t.customer, machines, taken_machines)
        taken_cards.add(card.id)
        taken_machines.add(machine.id)
        t.install = (card, machine)


def _card(demo: Demo, customer: CustomerPlan, cards: list[CardPlan], taken: set[str]) -> CardPlan:
    """The agent's own card for an agent's customer, else one of the branch's; never stock
    that is someone else's."""
    free = [c for c in cards if c.id not in taken and c.branch_id == customer.branch_id]
    for agent_id in dict.fromkeys((customer.agent_id, None)):
        owned = [c for c in free if c.agent_id == agent_id]
        # A card never issued before an old one waiting for a new activation.
        owned.sort(key=lambda c: c.status is not CardStatus.IN_STOCK)
        if owned:
            return owned[0]
    card = CardPlan(
        len(demo.cards),
        CardStatus.IN_STOCK,
        customer.branch_id,
        customer.agent_id,
        None,
        None,
        demo.clock.base - dt.timedelta(days=60),
    )
    demo.cards.append(card)
    return card


def _machine(
    demo: Demo, customer: CustomerPlan, machines: list[DevicePlan], taken: set[str]
) -> DevicePlan:
    free = [d for d in machines if d.id not in taken and d.branch_id == customer.branch_id]
    for agent_id in dict.fromkeys((customer.agent_id, None)):
        owned = [d for d in free if d.agent_id == agent_id]
        if owned:
            return owned[0]
    machine = DevicePlan(
        len(demo.devices),
        MODELS[len(demo.devices) % len(MODELS)],
        DeviceStatus.IN_STOCK,
        customer.branch_id,
        customer.agent_id,
        demo.clock.base - dt.timedelta(days=60),
    )
    demo.devices.append(machine)
    return machine
