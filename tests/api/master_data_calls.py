"""What the master-data tests share: one login per role, ids by natural key, the audit
log's size, and a valid call of each master-data mutation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tests.factories import scalars, unique
from wellspring.domain import models as m
from wellspring.domain.models.enums import Role
from wellspring.schema.core.ids import global_id

PERSONAS = {
    Role.ADMIN: "admin",
    Role.HQ: "hq",
    Role.HOTLINE: "hotline",
    Role.CLERK: "clerk-sh",
    Role.SALES: "sales-sh-1",
    Role.TECHNICIAN: "tech-sh-1",
    Role.AGENT: "agent-1",
    Role.CUSTOMER: "customer-1",
}


def gid(database_url: str, model: Any, type_name: str, column: Any, value: str) -> str:
    return global_id(type_name, scalars(database_url, select(model.id).where(column == value))[0])


def branch_id(database_url: str, code: str) -> str:
    return gid(database_url, m.Branch, "Branch", m.Branch.code, code)


def audit_rows(database_url: str) -> int:
    return int(scalars(database_url, select(func.count()).select_from(m.AuditEntry))[0])


def mutation_calls(database_url: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """A valid call of each mutation, as (action in permissions.RULES, variables)."""
    sh = branch_id(database_url, "SH")
    station = gid(database_url, m.Warehouse, "Warehouse", m.Warehouse.code, "WH-HQ")
    number = str(9_700_000_000 + int(unique("c").split("-")[1], 16) % 10**8)
    return {
        "UpsertBranch": ("branch.upsert", {"input": {"code": unique("B"), "name": "测试办事处"}}),
        "UpsertWarehouse": (
            "warehouse.upsert",
            # A repair center coded after "WH-": uninstalls pick a branch's first station.
            {
                "input": {
                    "code": unique("X"),
                    "name": "测试库",
                    "kind": "REPAIR_CENTER",
                    "branchId": sh,
                }
            },
        ),
        "UpsertPart": (
            "part.upsert",
            {"input": {"sku": unique("P"), "name": "测试件", "cost": "1", "listPrice": "2"}},
        ),
        "UpsertDeviceModel": (
            "device_model.upsert",
            {"input": {"code": unique("M"), "name": "测试机型", "listPrice": "100"}},
        ),
        "UpsertTechnician": (
            "technician.upsert",
            {
                "input": {
                    "username": unique("t"),
                    "password": "password-123",
                    "branchId": sh,
                }
            },
        ),
        "ReceiveCards": (
            "cards.receive",
            {"input": {"warehouseId": station, "fromNumber": number, "toNumber": number}},
        ),
        "CreateUser": (
            "user.create",
            {"input": {"username": unique("u"), "password": "password-123", "role": "HOTLINE"}},
        ),
    }
