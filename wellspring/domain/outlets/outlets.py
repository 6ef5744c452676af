"""Create, edit and list service outlets; attach engineers to one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions, policy
from ..actor import Actor
from ..bounds import check_cents
from ..errors import DomainError
from ..masterdata import fields
from ..models import Branch, ServiceOutlet, Technician
from ..models.enums import OutletLevel, TicketType
from ..pagination import Page, SortKey, paginate
from . import scopes

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_RATE = Decimal("100000")
MAX_TECHNICIANS = 200
# attribute, the longest value (the input field is named alike)
_TEXTS = (
    ("category", 50),
    ("contact_name", 50),
    ("contact_phone", 32),
    ("phone", 32),
    ("mobile", 32),
    ("province", 50),
    ("city", 50),
    ("district", 50),
    ("address", 200),
)


@dataclass(frozen=True)
class OutletChange:
    """What to set; ``None`` leaves a field as it is (code, name and branch needed to create).
    ``rate_card`` replaces the whole card; ``technician_ids`` the engineers attached."""

    id: str | None = None
    code: str | None = None
    name: str | None = None
    branch_id: str | None = None
    category: str | None = None
    level: OutletLevel | None = None
    credit_limit: Decimal | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    address: str | None = None
    is_active: bool | None = None
    rate_card: dict[str, Decimal] | None = None
    technician_ids: list[str] | None = None


def _rate_card(card: dict[str, Decimal]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for key, rate in card.items():
        if key not in TicketType.__members__ or not isinstance(rate, Decimal):
            raise DomainError("INVALID_RATE", field="rate_card", value=str(key)[:32])
        if rate.is_finite():
            check_cents(rate, "rate_card")
        try:
            value = rate.quantize(Decimal("0.01"))
        except InvalidOperation as exc:
            raise DomainError("INVALID_RATE", field="rate_card", value_code=key) from exc
        if not value.is_finite() or value < 0 or value > MAX_RATE:
            raise DomainError("INVALID_RATE", field="rate_card", value_code=key)
        clean[key] = str(value)
    return clean


async def upsert_outlet(
    session: AsyncSession, actor: Actor, *, change: OutletChange
) -> ServiceOutlet:
    """Create or edit an outlet. A branch clerk works on their own branch's outlets only."""
    permissions.check(actor, "outlet.upsert")
    if change.id is None:
        outlet = ServiceOutlet(
            code=fields.code(change.code, "code"),
            name=fields.text(change.name, "name"),
            branch_id="",
        )
        if change.branch_id is None:
            raise DomainError("REQUIRED", field="branch_id")
    else:
        found = await session.scalar(
            select(ServiceOutlet).where(
                ServiceOutlet.id == change.id,
                scopes.outlets_scope(actor),
                ServiceOutlet.deleted_at.is_(None),
            )
        )
        if found is None:
            raise DomainError("NOT_FOUND", field="id")
        outlet = found
        if change.code is not None:
            outlet.code = fields.code(change.code, "code")
        if change.name is not None:
            outlet.name = fields.text(change.name, "name")
    if change.branch_id is not None:
        permissions.check(actor, "outlet.upsert", branch_id=change.branch_id)
        branch = await fields.existing(session, Branch, change.branch_id, "branch_id")
        outlet.branch_id = branch.id
    permissions.check(actor, "outlet.upsert", branch_id=outlet.branch_id)
    await fields.unique(session, ServiceOutlet.code, outlet.code, field="code", own_id=change.id)
    for name, maximum in _TEXTS:
        value = getattr(change, name)
        if value is not None:
            setattr(outlet, name, fields.text(value, name, maximum=maximum, required=False))
    if change.email is not None:
        email = fields.text(change.email, "email", maximum=100, required=False)
        if email and not EMAIL.match(email):
            raise DomainError("INVALID_EMAIL", field="email")
        outlet.email = email
    if change.level is not None:
        outlet.level = change.level
    if change.credit_limit is not None:
        limit = fields.amount(change.credit_limit, "credit_limit")
        if not limit.is_finite() or limit > Decimal("1e9"):
            raise DomainError("INVALID_RATE", field="credit_limit", value_field="credit_limit")
        outlet.credit_limit = limit.quantize(Decimal("0.01"))
    if change.is_active is not None:
        outlet.is_active = change.is_active
    if change.rate_card is not None:
        outlet.rate_card = _rate_card(change.rate_card)
    if change.id is None:
        session.add(outlet)
    await session.flush()
    if change.technician_ids is not None:
        await _attach(session, outlet, change.technician_ids)
    action = "outlet.created" if change.id is None else "outlet.updated"
    audit.record(
        session, actor, action, entity_type="ServiceOutlet", entity_id=outlet.id, code=outlet.code
    )
    return outlet


async def _attach(session: AsyncSession, outlet: ServiceOutlet, ids: list[str]) -> None:
    """The engineers attached become exactly ``ids``: all of the outlet's branch."""
    if len(ids) > MAX_TECHNICIANS:
        raise DomainError("TOO_MANY_ITEMS", field="technician_ids", maximum=MAX_TECHNICIANS)
    wanted = set(ids)
    rows = (
        (
            await session.execute(
                select(Technician).where(
                    or_(Technician.id.in_(wanted), Technician.outlet_id == outlet.id),
                    Technician.deleted_at.is_(None),
                )
            )
        )
        .scalars()
        .all()
    )
    found = {t.id for t in rows}
    if wanted - found:  # the first one missing, for the transport to name where it was sent
        raise DomainError(
            "NOT_FOUND", field="technician_ids", id_value=next(i for i in ids if i not in found)
        )
    for tech in rows:
        if tech.id in wanted:
            if tech.branch_id != outlet.branch_id:
                raise DomainError("TECHNICIAN_OTHER_BRANCH", field="technician_ids")
            tech.outlet_id = outlet.id
        else:
            tech.outlet_id = None
    await session.flush()


async def outlets_page(
    session: AsyncSession,
    actor: Actor,
    *,
    search: str | None,
    first: int | None,
    after: str | None,
) -> Page[ServiceOutlet]:
    """The outlets the actor may see (an outlet's engineer: theirs), by code, name or city."""
    permissions.check(actor, "outlets.list")
    stmt = select(ServiceOutlet).where(
        scopes.outlets_scope(actor), ServiceOutlet.deleted_at.is_(None)
    )
    text = (search or "").strip()[:50]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                ServiceOutlet.name.like(pattern, escape="\\"),
                ServiceOutlet.code.like(pattern, escape="\\"),
                ServiceOutlet.city.like(pattern, escape="\\"),
            )
        )
    order = (SortKey(ServiceOutlet.code, descending=False), SortKey(ServiceOutlet.id, False))
    return await paginate(
        session, stmt, order=order, first=first, after=after, row_key=lambda o: (o.code, o.id)
    )


async def visible_outlet(session: AsyncSession, actor: Actor, outlet_id: str) -> ServiceOutlet:
    """The outlet by id if the actor may see it; NOT_FOUND otherwise (the same answer)."""
    found = await session.scalar(
        select(ServiceOutlet).where(
            ServiceOutlet.id == outlet_id,
            scopes.outlets_scope(actor),
            ServiceOutlet.deleted_at.is_(None),
        )
    )
    if found is None:
        raise DomainError("NOT_FOUND", field="outlet_id")
    return found


async def technicians_of(session: AsyncSession, actor: Actor, outlet_id: str) -> list[Technician]:
    """The outlet's engineers the actor may see (an engineer: only themself)."""
    rows = await session.execute(
        select(Technician)
        .where(
            Technician.outlet_id == outlet_id,
            policy.technicians_scope(actor),
            Technician.deleted_at.is_(None),
        )
        .order_by(Technician.created_at, Technician.id)
        .limit(MAX_TECHNICIANS)
    )
    return list(rows.scalars().all())
