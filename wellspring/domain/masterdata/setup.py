"""The first start of an empty database: the HQ office, its warehouse and the first admin.

Everything else (branches, engineers, parts ...) is then made through the API by those roles.
It runs once: a database with any office or login in it is refused.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit
from ..actor import SYSTEM
from ..errors import DomainError
from ..models import Branch, User, Warehouse
from ..models.enums import BranchKind, Role, WarehouseKind
from . import fault_codes, repair_levels
from .users import NewLogin, create_login

HQ_CODE = "HQ"
HQ_WAREHOUSE_CODE = "WH-HQ"


async def initialize(
    session: AsyncSession, *, admin_username: str, password: str, display_name: str = ""
) -> User:
    """Create HQ (office and warehouse) and the first administrator; refuse a used database."""
    used = await session.scalar(select(Branch.id).limit(1)) or await session.scalar(
        select(User.id).limit(1)
    )
    if used is not None:
        raise DomainError("ALREADY_INITIALIZED")
    hq = Branch(code=HQ_CODE, name="总部", name_en="Headquarters", kind=BranchKind.HQ)
    session.add(hq)
    await session.flush()
    session.add(
        Warehouse(code=HQ_WAREHOUSE_CODE, name="总部仓库", kind=WarehouseKind.HQ, branch_id=hq.id)
    )
    admin = await create_login(
        session,
        SYSTEM,
        login=NewLogin(
            username=admin_username,
            password=password,
            role=Role.ADMIN,
            display_name=display_name,
            branch_id=hq.id,
        ),
    )
    # The migrations seed them; a database made otherwise may not have them.
    await fault_codes.seed_defaults(session)
    await repair_levels.seed_defaults(session)
    audit.record(
        session, SYSTEM, "system.initialized", entity_type="Branch", entity_id=hq.id,
        admin=admin.username,
    )  # fmt: skip
    return admin
