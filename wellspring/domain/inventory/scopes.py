"""Who sees which stock rows (``domain.policy`` lists these in ``SCOPES``): warehouses by
role, and balances, entries, movements through the warehouses; discrepancies by branch."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select, true

from ..actor import Actor
from ..models import StockBalance, StockDiscrepancy, StockEntry, StockMovement, Warehouse
from ..models.enums import Role

Condition = ColumnElement[bool]


def warehouses_scope(actor: Actor) -> Condition:
    """HQ sees every warehouse; a clerk their branch's; an engineer their van; an agent its own."""
    if actor.sees_all_branches and actor.role is not Role.HOTLINE:
        return true()
    match actor.role:
        case Role.CLERK:
            return Warehouse.branch_id == actor.branch_id
        case Role.TECHNICIAN:
            return Warehouse.technician_id == actor.technician_id
        case Role.AGENT:
            return Warehouse.agent_id == actor.agent_id
    return false()


def _warehouse_ids(actor: Actor) -> Any:
    return select(Warehouse.id).where(warehouses_scope(actor))


def balances_scope(actor: Actor) -> Condition:
    return StockBalance.warehouse_id.in_(_warehouse_ids(actor))


def stock_entries_scope(actor: Actor) -> Condition:
    return StockEntry.warehouse_id.in_(_warehouse_ids(actor))


def movements_scope(actor: Actor) -> Condition:
    ids = _warehouse_ids(actor)
    return StockMovement.from_warehouse_id.in_(ids) | StockMovement.to_warehouse_id.in_(ids)


def discrepancies_scope(actor: Actor) -> Condition:
    """Stock discrepancies are branch stock-keeping: HQ and admins see all, a branch clerk
    their branch's, an engineer those their own consumptions opened. Nobody else: not the
    hotline (no stock work), and never an agent (the vans are direct branches')."""
    if actor.role in (Role.ADMIN, Role.HQ):
        return true()
    match actor.role:
        case Role.CLERK if actor.branch_id:
            return StockDiscrepancy.branch_id == actor.branch_id
        case Role.TECHNICIAN if actor.technician_id:
            return StockDiscrepancy.technician_id == actor.technician_id
    return false()
