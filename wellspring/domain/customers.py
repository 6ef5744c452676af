"""Customer lookups for the hotline and branches: search by name, phone, card or serial."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, or_
from sqlalchemy.ext.asyncio import AsyncSession

from . import joined, policy
from .actor import Actor
from .column_rows import Columns
from .custom_fields import values as custom_values
from .errors import DomainError
from .models import AccountCard, Address, Contact, Customer, Device
from .models.enums import CustomFieldEntity
from .pagination import Page, Rows, SortKey, paginate

MAX_SEARCH_LENGTH = 100
_ORDER = (SortKey(Customer.created_at), SortKey(Customer.id))


def customer_key(phone: str) -> str:
    """The ``db.one_at_a_time`` key under which new customers of one phone are made (by a
    ticket opened for a new customer, or an import): a check of who has that phone holds."""
    return f"customer:{phone}"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_condition(text: str) -> Any:
    """Name contains; phone, card number and serial number match exactly or by prefix."""
    pattern = _escape_like(text)
    prefix = f"{pattern}%"
    return or_(
        Customer.name.like(f"%{pattern}%", escape="\\"),
        Customer.code == text,
        Customer.phone.like(prefix, escape="\\"),
        exists().where(Contact.customer_id == Customer.id, Contact.phone.like(prefix, escape="\\")),
        exists().where(
            AccountCard.customer_id == Customer.id,
            AccountCard.card_number.like(prefix, escape="\\"),
        ),
        exists().where(
            Device.customer_id == Customer.id, Device.serial_number.like(prefix, escape="\\")
        ),
    )


async def search_customers(
    session: AsyncSession,
    actor: Actor,
    *,
    search: str | None,
    first: int | None,
    after: str | None,
    custom_field: tuple[str, str] | None = None,
    relations: joined.Relations | None = None,
    columns: Columns | None = None,
    count_with_page: bool = False,
) -> Page[Customer]:
    """The customers the actor may see, newest first, optionally matching ``search`` and a
    custom field's value (``custom_field``: key and value); ``relations`` are read with the
    page (``Page.related``), and so is its count when ``count_with_page``."""
    stmt = Rows(Customer, (policy.customers_scope(actor), Customer.deleted_at.is_(None)))
    text = (search or "").strip()
    if len(text) > MAX_SEARCH_LENGTH:
        raise DomainError("VALUE_TOO_LONG", field="search", maximum=MAX_SEARCH_LENGTH)
    if text:
        stmt = stmt.where(_search_condition(text))
    if custom_field is not None:
        key, value = custom_field
        entity, column = CustomFieldEntity.CUSTOMER, Customer.custom_fields
        stmt = stmt.where(await custom_values.condition(session, entity, column, key, value))
    return await paginate(
        session,
        stmt,
        order=_ORDER,
        first=first,
        after=after,
        row_key=lambda c: (c.created_at, c.id),
        related=joined.wanted(Customer, actor, relations, columns),
        count_with_page=count_with_page,
    )


def default_address(addresses: list[Address]) -> Address | None:
    """The address marked default, else the oldest one."""
    marked = [a for a in addresses if a.is_default]
    if marked:
        return marked[0]
    return min(addresses, key=lambda a: (a.created_at, a.id)) if addresses else None
