"""Who may see what (domain.md, "Who may see what"), written once for every door.

Each ``*_scope`` function returns a SQL condition that selects exactly the rows of one table an
actor may see. Every query, ``node`` lookup, nested list and mutation filters through these, so
a forbidden row is never loaded and looks exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, false, select, true

from .actor import Actor
from .agents.scopes import agent_payments_scope
from .hotline.scopes import articles_scope, callback_attempts_scope, missed_calls_scope
from .inventory.scopes import (
    balances_scope,
    discrepancies_scope,
    movements_scope,
    stock_entries_scope,
    warehouses_scope,
)
from .models import (
    AccountCard,
    Address,
    Agent,
    AgentOrder,
    AgentOrderLine,
    AgentPayment,
    Article,
    Attachment,
    AuthSession,
    Branch,
    CallbackAttempt,
    Contact,
    Customer,
    Device,
    DeviceModel,
    FilterChange,
    FilterType,
    FollowUp,
    Job,
    JobNote,
    JobStatusChange,
    MissedCall,
    OutletAssessment,
    OutletSettlement,
    Part,
    PriceStandard,
    RoutePlan,
    ServiceOutlet,
    StockBalance,
    StockDiscrepancy,
    StockEntry,
    StockMovement,
    Technician,
    TerritoryConflict,
    Ticket,
    TicketStatusChange,
    User,
    Warehouse,
    WaterTest,
)
from .models.enums import AttachmentStatus, Role
from .outlets.scopes import assessments_scope, outlets_scope, settlements_scope

Condition = ColumnElement[bool]


def _my_job_ids(actor: Actor) -> Any:
    return select(Job.id).where(Job.technician_id == actor.technician_id, Job.deleted_at.is_(None))


def _my_job_ticket_ids(actor: Actor) -> Any:
    return select(Job.ticket_id).where(
        Job.technician_id == actor.technician_id, Job.deleted_at.is_(None)
    )


def customers_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    match actor.role:
        case Role.CLERK:
            return Customer.branch_id == actor.branch_id
        case Role.SALES:
            return Customer.sales_user_id == actor.user_id
        case Role.AGENT:
            return Customer.agent_id == actor.agent_id
        case Role.TECHNICIAN:
            return Customer.id.in_(
                select(Ticket.customer_id).where(Ticket.id.in_(_my_job_ticket_ids(actor)))
            )
        case Role.CUSTOMER:
            return Customer.id == actor.customer_id
    return false()


def _customer_ids(actor: Actor) -> Any:
    return select(Customer.id).where(customers_scope(actor))


def devices_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    match actor.role:
        case Role.CLERK:
            return Device.branch_id == actor.branch_id
        case Role.SALES:
            return Device.customer_id.in_(_customer_ids(actor))
        case Role.AGENT:
            return Device.agent_id == actor.agent_id
        case Role.TECHNICIAN:
            return Device.id.in_(
                select(Ticket.device_id).where(Ticket.id.in_(_my_job_ticket_ids(actor)))
            )
        case Role.CUSTOMER:
            return Device.customer_id == actor.customer_id
    return false()


def cards_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    match actor.role:
        case Role.CLERK:
            return AccountCard.branch_id == actor.branch_id
        case Role.AGENT:
            return AccountCard.agent_id == actor.agent_id
        case Role.SALES | Role.CUSTOMER:
            return AccountCard.customer_id.in_(_customer_ids(actor))
        case Role.TECHNICIAN:
            return AccountCard.device_id.in_(select(Device.id).where(devices_scope(actor)))
    return false()


def tickets_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    match actor.role:
        case Role.CLERK:
            return Ticket.branch_id == actor.branch_id
        case Role.SALES | Role.AGENT | Role.CUSTOMER:
            return Ticket.customer_id.in_(_customer_ids(actor))
        case Role.TECHNICIAN:
            return Ticket.id.in_(_my_job_ticket_ids(actor))
    return false()


def jobs_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    match actor.role:
        case Role.CLERK:
            return Job.branch_id == actor.branch_id
        case Role.TECHNICIAN:
            return Job.technician_id == actor.technician_id
        case Role.SALES | Role.AGENT | Role.CUSTOMER:
            return Job.ticket_id.in_(select(Ticket.id).where(tickets_scope(actor)))
    return false()


def attachments_scope(actor: Actor) -> Condition:
    """A job's files go with the job; customers, agents and sales see verified ones only
    (and only their stripped derivatives: domain/media/reading.py)."""
    visible = Attachment.job_id.in_(select(Job.id).where(jobs_scope(actor)))
    if actor.role in (Role.SALES, Role.AGENT, Role.CUSTOMER):
        return and_(visible, Attachment.status == AttachmentStatus.VERIFIED)
    return visible


def ticket_history_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    return TicketStatusChange.ticket_id.in_(select(Ticket.id).where(tickets_scope(actor)))


def job_history_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    return JobStatusChange.job_id.in_(select(Job.id).where(jobs_scope(actor)))


def job_notes_scope(actor: Actor) -> Condition:
    """An engineer's notes go with the job, to staff who see it; never to a customer (they
    are written for colleagues)."""
    if actor.role is Role.CUSTOMER:
        return false()
    if actor.sees_all_branches:
        return true()
    return JobNote.job_id.in_(select(Job.id).where(jobs_scope(actor)))


def follow_ups_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    if actor.role in (Role.TECHNICIAN, Role.CUSTOMER):
        return false()  # the hotline's call notes are internal
    return FollowUp.ticket_id.in_(select(Ticket.id).where(tickets_scope(actor)))


def addresses_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    return Address.customer_id.in_(_customer_ids(actor))


def contacts_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    return Contact.customer_id.in_(_customer_ids(actor))


def filter_changes_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    return FilterChange.device_id.in_(select(Device.id).where(devices_scope(actor)))


def water_tests_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    return WaterTest.device_id.in_(select(Device.id).where(devices_scope(actor)))


def can_see_costs(actor: Actor) -> bool:
    """Cost prices are for HQ, admins and branch clerks; never for dealers or customers."""
    return actor.role in (Role.ADMIN, Role.HQ, Role.CLERK)


def branches_scope(actor: Actor) -> Condition:
    """The branch directory is public to staff; a customer or agent sees its own branch."""
    if actor.role in (Role.CUSTOMER, Role.AGENT):
        return Branch.id == actor.branch_id
    return true()


def agents_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    match actor.role:
        case Role.CLERK:
            return Agent.branch_id == actor.branch_id
        case Role.AGENT:  # itself and its sub-distributors
            return (Agent.id == actor.agent_id) | (Agent.parent_agent_id == actor.agent_id)
    return false()


def agent_orders_scope(actor: Actor) -> Condition:
    """Purchase orders: HQ and admins all, an agent its own (not its sub-distributors')."""
    if actor.role in (Role.ADMIN, Role.HQ):
        return true()
    if actor.role is Role.AGENT and actor.agent_id:
        return AgentOrder.agent_id == actor.agent_id
    return false()


def agent_order_lines_scope(actor: Actor) -> Condition:
    return AgentOrderLine.order_id.in_(select(AgentOrder.id).where(agent_orders_scope(actor)))


def territory_conflicts_scope(actor: Actor) -> Condition:
    """The conflicts logged against agents are HQ's to see, never the agents'."""
    return true() if actor.role in (Role.ADMIN, Role.HQ) else false()


def price_standards_scope(actor: Actor) -> Condition:
    """Price standards are what customers and dealers are charged: no cost in them."""
    return false() if actor.role is Role.CUSTOMER else true()


def users_scope(actor: Actor) -> Condition:
    """Staff directories: wide roles see every staff login, a clerk their branch, others self."""
    if actor.sees_all_branches:
        return User.role != Role.CUSTOMER if actor.role is Role.HOTLINE else true()
    if actor.role is Role.CLERK:
        return (User.branch_id == actor.branch_id) & (User.role != Role.CUSTOMER)
    return User.id == actor.user_id


def technicians_scope(actor: Actor) -> Condition:
    if actor.sees_all_branches:
        return true()
    match actor.role:
        case Role.CLERK:
            return Technician.branch_id == actor.branch_id
        case Role.TECHNICIAN:
            return Technician.id == actor.technician_id
        case Role.AGENT:  # its own engineers
            return Technician.agent_id == actor.agent_id
    return false()


def route_plans_scope(actor: Actor) -> Condition:
    """Route plans are dispatch work: wide roles see all, a branch clerk their branch's."""
    if actor.sees_all_branches:
        return true()
    if actor.role is Role.CLERK:
        return RoutePlan.branch_id == actor.branch_id
    return false()


def sessions_scope(actor: Actor) -> Condition:
    """Admins see every login session; anyone else only their own."""
    if actor.role is Role.ADMIN:
        return true()
    return AuthSession.user_id == actor.user_id


def catalogue_scope(_actor: Actor) -> Condition:
    """Device models and filter types are a public catalogue to every signed-in user."""
    return true()


SCOPES: dict[type[Any], Callable[[Actor], Condition]] = {
    DeviceModel: catalogue_scope,
    FilterType: catalogue_scope,
    FilterChange: filter_changes_scope,
    WaterTest: water_tests_scope,
    Part: catalogue_scope,
    Warehouse: warehouses_scope,
    StockBalance: balances_scope,
    StockEntry: stock_entries_scope,
    StockMovement: movements_scope,
    StockDiscrepancy: discrepancies_scope,
    Customer: customers_scope,
    Device: devices_scope,
    AccountCard: cards_scope,
    Ticket: tickets_scope,
    Job: jobs_scope,
    Attachment: attachments_scope,
    TicketStatusChange: ticket_history_scope,
    JobStatusChange: job_history_scope,
    JobNote: job_notes_scope,
    FollowUp: follow_ups_scope,
    Address: addresses_scope,
    Contact: contacts_scope,
    Branch: branches_scope,
    Agent: agents_scope,
    AgentOrder: agent_orders_scope,
    AgentOrderLine: agent_order_lines_scope,
    TerritoryConflict: territory_conflicts_scope,
    PriceStandard: price_standards_scope,
    User: users_scope,
    Technician: technicians_scope,
    RoutePlan: route_plans_scope,
    AuthSession: sessions_scope,
    ServiceOutlet: outlets_scope,
    OutletSettlement: settlements_scope,
    OutletAssessment: assessments_scope,
    MissedCall: missed_calls_scope,
    CallbackAttempt: callback_attempts_scope,
    Article: articles_scope,
    AgentPayment: agent_payments_scope,
}
# Stock's and issue 18's scopes live beside their areas (inventory/, outlets/, hotline/,
# agents/scopes.py).


def scope(model: type[Any], actor: Actor) -> Condition:
    """The rows of ``model`` the actor may see; unknown models are closed, not open."""
    rule = SCOPES.get(model)
    return rule(actor) if rule is not None else false()


# Soft-deleted rows of these tables read as not found by id, as they are missing from lists;
# only an admin's audit read (``include_deleted``) still returns them. Sync pulls keep using
# ``scope`` alone, because a phone must hear of a deletion as a tombstone.
HIDDEN_WHEN_DELETED: frozenset[type[Any]] = frozenset({Customer, Ticket, Device})


def can_read_deleted(actor: Actor) -> bool:
    return actor.role is Role.ADMIN


def by_id_scope(model: type[Any], actor: Actor, *, include_deleted: bool = False) -> Condition:
    """``scope`` for reads by id (``customer(id:)``, ``node(id:)``, nested links)."""
    condition = scope(model, actor)
    if model in HIDDEN_WHEN_DELETED and not (include_deleted and can_read_deleted(actor)):
        live: Condition = model.deleted_at.is_(None)
        return condition & live
    return condition
