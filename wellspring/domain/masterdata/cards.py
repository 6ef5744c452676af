"""Account cards (开户卡) received in batches by number range into a warehouse.

A card's secret is stored only as a salted PBKDF2 hash. Secrets printed by the card maker are
given with the batch; otherwise they are drawn here and returned once, to be printed, and
cannot be read again.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.digits import is_digits

from .. import audit, permissions
from ..actor import Actor
from ..errors import DomainError
from ..inventory.scopes import warehouses_scope
from ..models import AccountCard, Warehouse
from ..models.enums import CardStatus, WarehouseKind
from . import fields

MAX_BATCH = 1000
# Fewer rounds than a password: a batch hashes up to a thousand secrets in one request.
_ROUNDS = 20_000


@dataclass(frozen=True)
class ReceivedCard:
    card: AccountCard
    issued_secret: str | None  # drawn here, shown once; None when the batch gave it


def hash_card_secret(number: str, secret: str) -> str:
    salt = secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", f"{number}:{secret}".encode(), salt.encode(), _ROUNDS)
    return f"pbkdf2_sha256${_ROUNDS}${salt}${digest.hex()}"


def card_secret_matches(stored: str, number: str, secret: str) -> bool:
    scheme, rounds, salt, expected = [*stored.split("$"), "", "", ""][:4]
    if scheme != "pbkdf2_sha256" or not is_digits(rounds):
        return False
    digest = hashlib.pbkdf2_hmac(
        "sha256", f"{number}:{secret}".encode(), salt.encode(), int(rounds)
    )
    return hmac.compare_digest(digest.hex(), expected)


def _range(first: str, last: str) -> list[str]:
    first, last = first.strip(), last.strip()
    if not is_digits(first) or not is_digits(last) or len(first) != len(last) or len(first) > 32:
        raise DomainError("INVALID_CARD_RANGE", field="to_number")
    start, end = int(first), int(last)
    if end < start:
        raise DomainError("INVALID_CARD_RANGE", field="to_number")
    if end - start + 1 > MAX_BATCH:
        raise DomainError("TOO_MANY_ITEMS", field="to_number", maximum=MAX_BATCH)
    return [str(n).zfill(len(first)) for n in range(start, end + 1)]


async def receive_cards(
    session: AsyncSession,
    actor: Actor,
    *,
    warehouse_id: str,
    from_number: str,
    to_number: str,
    secrets_given: Sequence[str] | None = None,
) -> list[ReceivedCard]:
    """Cards ``from_number``..``to_number`` (inclusive, same width) arrive in stock."""
    permissions.check(actor, "cards.receive")
    warehouse = await session.scalar(  # held, as documents.warehouse holds it
        select(Warehouse)
        .where(Warehouse.id == warehouse_id, warehouses_scope(actor))
        .with_for_update(read=True, of=Warehouse)
        .execution_options(populate_existing=True)
    )
    if warehouse is None or warehouse.kind is WarehouseKind.VAN or not warehouse.is_active:
        raise DomainError("NOT_FOUND", field="warehouse_id")
    if warehouse.branch_id is None:
        raise DomainError("REQUIRED", field="warehouse_id")
    numbers = _range(from_number, to_number)
    if secrets_given is not None and len(secrets_given) != len(numbers):
        raise DomainError("CARD_SECRETS_COUNT", field="secrets", wanted=len(numbers))
    given = [fields.text(s, f"secrets.{i}", maximum=64) for i, s in enumerate(secrets_given or [])]
    taken = await session.scalar(
        select(AccountCard.card_number).where(AccountCard.card_number.in_(numbers)).limit(1)
    )
    if taken is not None:
        raise DomainError("CARD_NUMBER_TAKEN", field="from_number", value=taken)
    issued = given or [f"{secrets.randbelow(10**8):08d}" for _ in numbers]
    # PBKDF2 is CPU work: keep it off the event loop.
    hashes = await asyncio.to_thread(
        lambda: [hash_card_secret(n, s) for n, s in zip(numbers, issued, strict=True)]
    )
    received = []
    for number, secret, digest in zip(numbers, issued, hashes, strict=True):
        card = AccountCard(
            card_number=number,
            secret_hash=digest,
            status=CardStatus.IN_STOCK,
            branch_id=warehouse.branch_id,
            agent_id=warehouse.agent_id,
            warehouse_id=warehouse.id,
        )
        session.add(card)
        received.append(ReceivedCard(card=card, issued_secret=None if given else secret))
    await session.flush()
    audit.record(
        session,
        actor,
        "cards.received",
        entity_type="Warehouse",
        entity_id=warehouse.id,
        first=numbers[0],
        last=numbers[-1],
        count=len(numbers),
    )
    return received
