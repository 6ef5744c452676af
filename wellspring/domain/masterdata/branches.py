"""Branches (分公司) and regional offices (办事处): created and edited by HQ, never deleted."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..errors import DomainError
from ..models import Branch
from ..models.enums import BranchKind
from . import fields

_OFFICE_PARENTS = (BranchKind.HQ, BranchKind.BRANCH)
# attribute, the input field named in errors, the longest value
_TEXTS = (
    ("name_en", "name_en", 100),
    ("province", "province", 50),
    ("city", "city", 50),
    ("address", "address", 200),
)


@dataclass(frozen=True)
class BranchChange:
    """What to set; ``None`` leaves a field as it is (every field but ``id`` on create)."""

    id: str | None = None
    code: str | None = None
    name: str | None = None
    name_en: str | None = None
    kind: BranchKind | None = None
    parent_id: str | None = None
    province: str | None = None
    city: str | None = None
    address: str | None = None
    phone: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    is_active: bool | None = None


async def upsert_branch(session: AsyncSession, actor: Actor, *, change: BranchChange) -> Branch:
    """Create a branch or an office (HQ exists once, made by ``setup.initialize``), or edit one."""
    permissions.check(actor, "branch.upsert")
    if change.id is None:
        branch = Branch(
            code=fields.code(change.code, "code"),
            name=fields.text(change.name, "name"),
            kind=change.kind or BranchKind.BRANCH,
        )
        if branch.kind is BranchKind.HQ:
            raise DomainError("HQ_EXISTS", field="kind")
    else:
        branch = await fields.existing(session, Branch, change.id, "id")
        if change.code is not None:
            branch.code = fields.code(change.code, "code")
        if change.name is not None:
            branch.name = fields.text(change.name, "name")
        if change.kind is not None and change.kind is not branch.kind:
            # HQ is one office for the whole company; nothing turns into it or out of it.
            if BranchKind.HQ in (change.kind, branch.kind):
                raise DomainError("HQ_EXISTS", field="kind")
            branch.kind = change.kind
    await fields.unique(session, Branch.code, branch.code, field="code", own_id=change.id)
    if change.parent_id is not None:
        parent = await fields.existing(session, Branch, change.parent_id, "parent_id")
        # Two levels at most, so no cycle: a branch reports to HQ, an office to HQ or a branch.
        allowed = (BranchKind.HQ,) if branch.kind is BranchKind.BRANCH else _OFFICE_PARENTS
        if parent.id == branch.id or parent.kind not in allowed:
            raise DomainError("INVALID_PARENT", field="parent_id")
        branch.parent_id = parent.id
    for name, label, maximum in _TEXTS:
        value = getattr(change, name)
        if value is not None:
            setattr(branch, name, fields.text(value, label, maximum=maximum, required=False))
    if change.phone is not None:
        branch.phone = fields.text(change.phone, "phone", maximum=32, required=False)
    if change.latitude is not None or change.longitude is not None:
        lat, lon = fields.latitude_longitude(change.latitude, change.longitude)
        branch.latitude, branch.longitude = lat, lon
    if change.is_active is not None:
        if branch.kind is BranchKind.HQ and not change.is_active:
            raise DomainError("HQ_EXISTS", field="is_active")
        branch.is_active = change.is_active
    if change.id is None:
        session.add(branch)
    await session.flush()
    action = "branch.created" if change.id is None else "branch.updated"
    audit.record(
        session, actor, action, entity_type="Branch", entity_id=branch.id, code=branch.code
    )
    return branch
