"""A customer's profile as the company keeps it (domain.md: the clerk completes the profile):
name, kind, phone and note; and what the branch's management decides: the grade, the
salesperson who owns the relationship, and the engineer bound to the customer for water
service (a recharge notifies that engineer). A signed-in customer corrects how they are
reached themselves: their phone and their primary contact's name and phone (never their
addresses, which move through relocation tickets)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from . import audit, permissions
from .actor import Actor
from .errors import DomainError, PermissionDenied
from .models import Contact, Customer, Technician, User
from .models.enums import CustomerKind, CustomerTier, Role
from .workflow import moves
from .workflow.requests import check_phone, require

MAX_NOTE = 500
MAX_CONTACT_NAME = 50  # contacts.name


class _Keep:
    """A person the change leaves as they are (None takes them off the customer)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


@dataclass(frozen=True)
class CustomerChange:
    id: str
    name: str | None = None
    kind: CustomerKind | None = None
    phone: str | None = None
    note: str | None = None
    tier: CustomerTier | None = None
    salesperson_id: str | None = KEEP
    service_technician_id: str | None = KEEP

    def assigns(self) -> bool:
        """Whether it decides what only the branch's management may (customer.assign)."""
        people = (self.salesperson_id, self.service_technician_id)
        return self.tier is not None or any(p is not KEEP for p in people)


async def update_customer(
    session: AsyncSession, actor: Actor, *, change: CustomerChange
) -> Customer:
    """Change what the change names and keep the rest; refused whole on any bad value."""
    permissions.check(actor, "customer.update")
    if change.assigns():
        permissions.check(actor, "customer.assign")
    found = await moves.visible(session, actor, Customer, change.id)  # another's: NOT_FOUND
    # Held and read as committed: of two edits at once, the second starts from the first's.
    customer = await session.get(Customer, found.id, with_for_update=True, populate_existing=True)
    if customer is None:  # pragma: no cover - read a moment ago, and never hard-deleted
        raise DomainError("NOT_FOUND", field="id")
    before = _profile(customer)
    if change.name is not None:
        customer.name = require(change.name, "name")
    if change.kind is not None:
        customer.kind = change.kind
    if change.phone is not None:
        customer.phone = check_phone(change.phone, "phone")
    if change.note is not None:
        customer.note = _note(change.note)
    if change.tier is not None:
        customer.tier = change.tier
    if change.salesperson_id is not KEEP:
        customer.sales_user_id = await _salesperson(session, customer, change.salesperson_id)
    if change.service_technician_id is not KEEP:
        customer.service_technician_id = await _engineer(
            session, customer, change.service_technician_id
        )
    await _audit_changes(session, actor, customer, before, _profile(customer))
    return customer


@dataclass(frozen=True)
class ContactChange:
    """What a customer corrects of how they are reached; ``None`` leaves a field as it is."""

    contact_name: str | None = None
    phone: str | None = None
    contact_phone: str | None = None


async def update_own_contact(
    session: AsyncSession, actor: Actor, *, change: ContactChange
) -> Customer:
    """The signed-in customer's own phone and primary contact, checked as the desk's
    corrections are and audited the same way (``customer.updated``, each field before and
    after), so the customer's history reads alike whoever made the change."""
    permissions.check(actor, "customer.update_own_contact")
    if actor.customer_id is None:
        raise PermissionDenied  # a customer login always names its customer
    # Held and read as committed, as the desk's edit holds it: of two edits, the second
    # starts from the first's.
    customer = await session.get(
        Customer, actor.customer_id, with_for_update=True, populate_existing=True
    )
    if customer is None or customer.deleted_at is not None:
        raise DomainError("NOT_FOUND")
    name = None if change.contact_name is None else require(
        change.contact_name, "contact_name", MAX_CONTACT_NAME
    )  # fmt: skip
    phone = None if change.phone is None else check_phone(change.phone, "phone")
    contact_phone = (
        None if change.contact_phone is None else check_phone(change.contact_phone, "contact_phone")
    )
    contact = await _primary_contact(session, customer)
    before = _reached(customer, contact)
    if phone is not None:
        customer.phone = phone
    if contact is None and (name is not None or contact_phone is not None):
        # A customer made without a contact: their own name and phone become the primary one.
        contact = Contact(
            customer_id=customer.id,
            name=customer.name[:MAX_CONTACT_NAME],
            phone=customer.phone,
            is_primary=True,
        )
        session.add(contact)
    if contact is not None and name is not None:
        contact.name = name
    if contact is not None and contact_phone is not None:
        contact.phone = contact_phone
    await _audit_changes(session, actor, customer, before, _reached(customer, contact))
    return customer


async def _audit_changes(
    session: AsyncSession,
    actor: Actor,
    customer: Customer,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """One ``customer.updated`` row with each changed field's before and after (staff's
    corrections and the customer's own alike), none when nothing changed."""
    changed = {k: [v, after[k]] for k, v in before.items() if v != after[k]}
    if changed:
        await session.flush()
        audit.record(
            session,
            actor,
            "customer.updated",
            entity_type="Customer",
            entity_id=customer.id,
            changed=changed,
        )


async def _primary_contact(session: AsyncSession, customer: Customer) -> Contact | None:
    """The contact the customer's page shows first (``Customer.contacts``' order), held."""
    found = await session.scalars(
        select(Contact)
        .where(Contact.customer_id == customer.id, Contact.deleted_at.is_(None))
        .order_by(Contact.is_primary.desc(), Contact.created_at, Contact.id)
        .limit(1)
        .with_for_update()
    )
    return found.first()


def _reached(customer: Customer, contact: Contact | None) -> dict[str, Any]:
    return {
        "phone": customer.phone,
        "contact_name": contact.name if contact is not None else None,
        "contact_phone": contact.phone if contact is not None else None,
    }


def _profile(customer: Customer) -> dict[str, Any]:
    return {
        "name": customer.name,
        "kind": str(customer.kind),
        "phone": customer.phone,
        "note": customer.note,
        "tier": str(customer.tier),
        "sales_user_id": customer.sales_user_id,
        "service_technician_id": customer.service_technician_id,
    }


def _note(text: str) -> str:
    note = text.strip()
    if len(note) > MAX_NOTE:
        raise DomainError("VALUE_TOO_LONG", field="note", maximum=MAX_NOTE)
    return note


async def _salesperson(
    session: AsyncSession, customer: Customer, user_id: str | None
) -> str | None:
    """An active salesperson of the customer's branch, held while the customer is changed."""
    if user_id is None:
        return None
    user = await session.get(User, user_id, with_for_update={"read": True})
    if (
        user is None
        or user.deleted_at is not None
        or not user.is_active
        or user.role is not Role.SALES
        or user.branch_id != customer.branch_id
    ):
        raise DomainError("SALESPERSON_INVALID", field="salesperson_id")
    return user.id


async def _engineer(
    session: AsyncSession, customer: Customer, technician_id: str | None
) -> str | None:
    """An active engineer of the customer's branch, held while the customer is changed."""
    if technician_id is None:
        return None
    technician = await session.get(Technician, technician_id, with_for_update={"read": True})
    if (
        technician is None
        or technician.deleted_at is not None
        or not technician.is_active
        or technician.branch_id != customer.branch_id
    ):
        raise DomainError("SERVICE_TECHNICIAN_INVALID", field="service_technician_id")
    return technician.id
