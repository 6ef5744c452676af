"""Moving a customer to another owner (domain.md: HQ management can reassign customers
between owners): a branch, for a direct customer, or an agent. The customer's devices and
active cards carry the owner too and move with them; the salesperson and the bound engineer
the old branch gave them are taken off when the branch changes. A customer with work in
hand is refused: an open ticket belongs to the branch that took it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from . import audit, permissions
from .actor import Actor
from .errors import DomainError
from .models import AccountCard, Agent, Branch, Customer, Device, Ticket
from .models.enums import TICKET_OPEN_STATUSES, CardStatus, OwnerKind


async def reassign_customer(
    session: AsyncSession,
    actor: Actor,
    *,
    customer_id: str,
    branch_id: str | None = None,
    agent_id: str | None = None,
) -> Customer:
    """Give the customer to ``branch_id`` or to ``agent_id`` (exactly one)."""
    permissions.check(actor, "customer.reassign")
    if (branch_id is None) == (agent_id is None):
        raise DomainError("OWNER_REQUIRED", field="branch_id")
    # Held and read as committed: two moves at once are made one after the other.
    customer = await session.get(
        Customer, customer_id, with_for_update=True, populate_existing=True
    )
    if customer is None or customer.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="customer_id")
    if agent_id is not None:
        # Held (FOR SHARE) and read as committed: active, and kept so until the move commits.
        agent = await session.get(
            Agent, agent_id, with_for_update={"read": True}, populate_existing=True
        )
        if agent is None or agent.deleted_at is not None:
            raise DomainError("NOT_FOUND", field="agent_id")
        if not agent.is_active:
            raise DomainError("AGENT_INACTIVE", field="agent_id")
        kind, new_agent, new_branch = OwnerKind.AGENT, agent.id, agent.branch_id
    else:
        branch = await session.get(Branch, branch_id)
        if branch is None or branch.deleted_at is not None or not branch.is_active:
            raise DomainError("NOT_FOUND", field="branch_id")
        kind, new_agent, new_branch = OwnerKind.BRANCH, None, branch.id
    before = (customer.owner_kind, customer.agent_id, customer.branch_id)
    if before == (kind, new_agent, new_branch):
        return customer  # theirs already: nothing to move
    in_hand = await session.scalar(
        select(Ticket.number)
        .where(
            Ticket.customer_id == customer.id,
            Ticket.status.in_(TICKET_OPEN_STATUSES),
            Ticket.deleted_at.is_(None),
        )
        .limit(1)
    )
    if in_hand is not None:
        raise DomainError("CUSTOMER_HAS_OPEN_TICKETS", field="customer_id", number=in_hand)
    customer.owner_kind, customer.agent_id = kind, new_agent
    if customer.branch_id != new_branch:
        customer.branch_id = new_branch
        customer.sales_user_id = customer.service_technician_id = None
    # Row by row (a customer has a few): each is stamped with this change's version, so the
    # phones and lists that hold them see the new owner.
    devices = await session.scalars(
        select(Device).where(Device.customer_id == customer.id).with_for_update()
    )
    moved_devices = 0
    for device in devices:
        device.branch_id, device.agent_id = new_branch, new_agent
        moved_devices += 1
    cards = await session.scalars(
        select(AccountCard)
        .where(AccountCard.customer_id == customer.id, AccountCard.status == CardStatus.ACTIVE)
        .with_for_update()
    )
    moved_cards = 0
    for card in cards:
        card.branch_id, card.agent_id = new_branch, new_agent
        moved_cards += 1
    await session.flush()
    audit.record(
        session,
        actor,
        "customer.reassigned",
        entity_type="Customer",
        entity_id=customer.id,
        owner_before=[str(before[0]), before[1], before[2]],
        owner_after=[str(kind), new_agent, new_branch],
        devices=moved_devices,
        cards=moved_cards,
    )
    return customer
