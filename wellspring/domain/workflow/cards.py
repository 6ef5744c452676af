"""What a visit does to an account card (开户卡): a cancellation returns it to "awaiting
activation" (退卡), and so does taking its machine away (退机): an active card is bound to a
customer and a device, and after an uninstall there is neither."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit
from ..actor import Actor
from ..errors import DomainError
from ..models import AccountCard, Ticket
from ..models.enums import CardStatus


async def cancel(session: AsyncSession, actor: Actor, ticket: Ticket, now: dt.datetime) -> None:
    """The ticket's card is unbound and waits for a new activation (退卡)."""
    # Held and read as committed: two cancellations at once both found it active.
    card = await session.get(
        AccountCard, ticket.card_id, with_for_update=True, populate_existing=True
    )
    if card is None or card.status is not CardStatus.ACTIVE:
        raise DomainError("CARD_NOT_ACTIVE", field="card_id")
    _unbind(session, actor, card, ticket, now, "card.cancelled")


async def release_with_device(
    session: AsyncSession, actor: Actor, ticket: Ticket, device_id: str, now: dt.datetime
) -> None:
    """The cards active on a machine being taken away go back to awaiting activation. Left
    active, the old customer's card stayed on the machine, and once the serial was installed
    again the device carried two active cards."""
    cards = (
        await session.scalars(
            select(AccountCard)
            .where(AccountCard.device_id == device_id, AccountCard.status == CardStatus.ACTIVE)
            .order_by(AccountCard.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    for card in cards:
        _unbind(session, actor, card, ticket, now, "card.released")


def _unbind(
    session: AsyncSession,
    actor: Actor,
    card: AccountCard,
    ticket: Ticket,
    now: dt.datetime,
    action: str,
) -> None:
    previous = {"customer_id": card.customer_id, "device_id": card.device_id}
    card.status = CardStatus.AWAITING_ACTIVATION
    card.customer_id = None
    card.device_id = None
    card.cancelled_at = now
    audit.record(
        session,
        actor,
        action,
        entity_type="AccountCard",
        entity_id=card.id,
        ticket_id=ticket.id,
        **previous,
    )
