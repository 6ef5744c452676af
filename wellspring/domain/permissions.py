"""Who may run which operation (domain.md), one table for every use case and every door.

Each operation maps the roles that may run it to their reach: ``ALL`` anywhere, or one
narrower than that (a branch clerk only inside their own branch, an engineer only on their own
jobs, van and phone ...). A role not listed may not, and a use case checks its operation
(``check``) before it reads anything, so a refused role learns nothing.

Which rows a role sees is another question, answered in ``policy.py``: a clerk's reach is
enforced there for the tickets and jobs they act on (another branch's ticket reads as not
found), and here where a branch is named in the request (``check(..., branch_id=...)``).
Ticket and job moves take their roles from ``workflow/states.py``, where they are data.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from .actor import Actor
from .errors import PermissionDenied
from .models.enums import Role
from .workflow import states


class Reach(enum.StrEnum):
    ALL = "ALL"
    OWN_BRANCH = "OWN_BRANCH"  # a branch clerk: their branch's customers, tickets, stock, staff
    OWN_CUSTOMERS = "OWN_CUSTOMERS"  # a salesperson: the customers assigned to them
    OWN_JOBS = "OWN_JOBS"  # an engineer: their jobs, van and position (needs an engineer record)
    OWN_DEALER = "OWN_DEALER"  # an agent: its dealer's customers and stock
    OWN_ACCOUNT = "OWN_ACCOUNT"  # a customer: their own account
    OWN_OUTLET = "OWN_OUTLET"  # an outlet's engineer: the outlet they are attached to


# Each role's reach wherever it is granted: what policy.py lets it see, named.
NATURAL_REACH: dict[Role, Reach] = {
    Role.ADMIN: Reach.ALL,
    Role.HQ: Reach.ALL,
    Role.HOTLINE: Reach.ALL,
    Role.CLERK: Reach.OWN_BRANCH,
    Role.SALES: Reach.OWN_CUSTOMERS,
    Role.TECHNICIAN: Reach.OWN_JOBS,
    Role.AGENT: Reach.OWN_DEALER,
    Role.CUSTOMER: Reach.OWN_ACCOUNT,
}

_LABELS = {
    Reach.OWN_BRANCH: "own branch",
    Reach.OWN_CUSTOMERS: "own customers",
    Reach.OWN_JOBS: "own jobs",
    Reach.OWN_DEALER: "own dealer",
    Reach.OWN_ACCOUNT: "own account",
    Reach.OWN_OUTLET: "own outlet",
}

Grant = Mapping[Role, Reach]


def _grant(*roles: Role | Iterable[Role]) -> Grant:
    flat: set[Role] = set()
    for role in roles:
        flat |= {role} if isinstance(role, Role) else set(role)
    return {role: NATURAL_REACH[role] for role in Role if role in flat}


ADMINS = _grant(Role.ADMIN)
HQ_ONLY = _grant(Role.ADMIN, Role.HQ)
DISPATCHERS = _grant(states.DISPATCHERS)
STOCK_MANAGERS = _grant(Role.ADMIN, Role.HQ, Role.CLERK)
ENGINEERS = _grant(Role.TECHNICIAN)
EVERYONE = _grant(set(Role))

# The moves of the state machine, named by the operation that makes them.
MOVES: dict[states.Move, str] = {
    states.APPROVE: "ticket.approve",
    states.REJECT: "ticket.reject",
    states.DISPATCH: "ticket.dispatch",
    states.ASSIGN: "job.assign",
    states.CANCEL: "ticket.cancel",
    states.FOLLOW_UP: "ticket.follow_up",
    states.ROUTE: "ticket.route",
    states.RESOLVE: "ticket.resolve",
    states.ACCEPT: "job.accept",
    states.START_TRAVEL: "job.start_travel",
    states.ARRIVE: "job.arrive",
    states.COMPLETE: "job.complete",
    states.FAIL: "job.fail",
}

RULES: dict[str, Grant] = {
    # workflow: opening (a customer opens for their own account, never a new customer; an agent
    # for its own customers, issue 18)
    "ticket.open": _grant(states.DISPATCHERS, Role.CUSTOMER, Role.AGENT),
    # an agent registers its own customers, inside its territory (agents/territory.py)
    "customer.create": _grant(states.DISPATCHERS, Role.AGENT),
    # a customer's profile: the company's staff, a salesperson their own customers; the grade,
    # the salesperson and the bound engineer: the branch's management (an agent's customers'
    # profiles are corrected through the company, where the other-owner rule is kept)
    "customer.update": _grant(states.DISPATCHERS, Role.SALES),
    "customer.assign": STOCK_MANAGERS,
    # a customer corrects their own phone and primary contact (never their addresses)
    "customer.update_own_contact": _grant(Role.CUSTOMER),
    # moving a customer to another branch or agent (domain.md: HQ management)
    "customer.reassign": HQ_ONLY,
    # workflow: the moves (roles from states.py); a relocation needs the branch's approval
    **{operation: _grant(move.roles) for move, operation in MOVES.items()},
    "ticket.approve_relocation": _grant(states.BRANCH_APPROVERS),
    # booking an engineer outside their shift, on a day off or over another window
    "shift.override": STOCK_MANAGERS,
    # workflow: reads
    "follow_ups.list": DISPATCHERS,
    "jobs.mine": ENGINEERS,
    "devices.supply_expiring": _grant(set(Role) - {Role.TECHNICIAN, Role.CUSTOMER}),
    "devices.filters_due": _grant(set(Role) - {Role.TECHNICIAN, Role.CUSTOMER}),
    # field work the phone records through sync (job events, notes, water tests, windows)
    "sync.use": ENGINEERS,
    "job.record_event": ENGINEERS,
    "job.add_note": ENGINEERS,
    "job.record_water_test": ENGINEERS,
    "job.reschedule": ENGINEERS,
    # dispatch: whoever may assign a job may plan and geocode for it
    # (an agent: its own engineers, and the jobs of its own customers; issue 18)
    "technicians.list": _grant(states.DISPATCHERS, Role.AGENT),
    "jobs.list": _grant(states.DISPATCHERS, Role.AGENT),
    # (the dispatchers: an agent assigns its own engineers by hand, without the planner)
    "technicians.suggest": DISPATCHERS,
    "routes.optimize": DISPATCHERS,
    "routes.apply": DISPATCHERS,
    "address.geocode": DISPATCHERS,
    "location.update": ENGINEERS,
    # inventory: branch stock-keeping; HQ decides breakages; an engineer returns from the van
    "stock.move": STOCK_MANAGERS,
    "stock.return_material": _grant(STOCK_MANAGERS, Role.TECHNICIAN),
    "stock.receive_transfer": STOCK_MANAGERS,
    "stock.decide_breakage": HQ_ONLY,
    "stock.set_safety": STOCK_MANAGERS,
    "stock.receive_machine": STOCK_MANAGERS,
    "old_parts.check": STOCK_MANAGERS,
    "old_parts.confirm_replacement": STOCK_MANAGERS,
    "stock_discrepancy.resolve": STOCK_MANAGERS,
    "stock.suggestions": STOCK_MANAGERS,
    "stock.report": STOCK_MANAGERS,  # costs: never for dealers or customers
    "stock.van": ENGINEERS,
    "parts.consume": ENGINEERS,
    "cards.list": _grant(Role.ADMIN, Role.HQ, Role.HOTLINE, Role.CLERK, Role.AGENT),
    "machines.list_in_stock": _grant(Role.ADMIN, Role.HQ, Role.HOTLINE, Role.CLERK, Role.AGENT),
    # media: the engineer on the job sends its files; dispatchers watch for missing evidence
    "attachment.register": ENGINEERS,
    "attachment.request_upload": ENGINEERS,
    "attachment.confirm_upload": ENGINEERS,
    "evidence.overdue_list": _grant(Role.ADMIN, Role.HQ, Role.HOTLINE, Role.CLERK),
    # master data (a branch clerk manages the branch's engineers, nobody else's)
    "branch.upsert": HQ_ONLY,
    "warehouse.upsert": HQ_ONLY,
    "part.upsert": HQ_ONLY,
    "device_model.upsert": HQ_ONLY,
    "fault_code.upsert": HQ_ONLY,
    "cards.receive": HQ_ONLY,
    "technician.upsert": _grant(Role.ADMIN, Role.HQ, Role.CLERK),
    # bulk import (HQ brings in the old systems' data); export of a list a dispatcher sees
    "import.run": HQ_ONLY,
    "list.export": DISPATCHERS,
    # administration
    "user.create": ADMINS,
    "user.update": ADMINS,
    "user.deactivate": ADMINS,
    "user.reset_password": ADMINS,
    "user.unlock": ADMINS,
    # every login changes its own password (knowing the current one)
    "user.change_own_password": EVERYONE,
    # everyone's own inbox and phone (notifications)
    "notifications.read": EVERYONE,
    "notifications.mark_read": EVERYONE,
    "notifications.preferences": EVERYONE,
    "push_device.register": EVERYONE,
    "push_device.unregister": EVERYONE,
    "session.list": ADMINS,
    "session.revoke": ADMINS,
    "audit.read": ADMINS,
    # live updates (issue 16): subscriptions; every event also passes policy.py's scopes
    "live.board": DISPATCHERS,
    "live.my_jobs": ENGINEERS,
    "live.visit": _grant(Role.CUSTOMER),
    # master data: repair levels, bin locations, import uploads (issue 14)
    "repair_level.upsert": HQ_ONLY,
    "bin_location.upsert": HQ_ONLY,
    "bin_location.list": STOCK_MANAGERS,
    "import.upload": HQ_ONLY,
    # custom fields (issue 18 §4): HQ defines them; values travel with each record's rules
    "custom_field.define": HQ_ONLY,
    "custom_field.set_values": DISPATCHERS,
    # customer tracking (issue 17): dispatchers share and revoke links; a customer with a
    # login follows, rates and asks to move their own visits (a link needs no role: its
    # token is the permission, domain/tracking/links.py)
    "tracking_link.share": DISPATCHERS,
    "tracking_link.revoke": DISPATCHERS,
    "visit.track": _grant(Role.CUSTOMER),
    "visit.rate": _grant(Role.CUSTOMER),
    "visit.request_change": _grant(Role.CUSTOMER),
    # dealers (issue 18): HQ manages agents, prices and orders; an agent orders for itself
    "agent.upsert": HQ_ONLY,
    "agents.list": _grant(Role.ADMIN, Role.HQ, Role.HOTLINE, Role.CLERK, Role.AGENT),
    "agent_order.place": _grant(Role.ADMIN, Role.HQ, Role.AGENT),
    "agent_order.confirm": HQ_ONLY,
    "agent_order.ship": HQ_ONLY,
    "agent_order.cancel": _grant(Role.ADMIN, Role.HQ, Role.AGENT),
    "agent_orders.list": _grant(Role.ADMIN, Role.HQ, Role.AGENT),
    "territory_conflicts.list": HQ_ONLY,
    "price_standard.upsert": HQ_ONLY,
    "price_standards.list": _grant(set(Role) - {Role.CUSTOMER}),
    # outlets and the hotline's tools (issue 18): an outlet's engineers see their outlet and
    # its settlements; HQ confirms and pays; the hotline works call backs and writes articles
    "outlets.list": {**_grant(Role.ADMIN, Role.HQ, Role.CLERK), Role.TECHNICIAN: Reach.OWN_OUTLET},
    "outlet.upsert": STOCK_MANAGERS,
    "outlet.assess": STOCK_MANAGERS,
    "outlet_settlements.list": {
        **_grant(Role.ADMIN, Role.HQ, Role.CLERK),
        Role.TECHNICIAN: Reach.OWN_OUTLET,
    },
    "outlet_settlement.generate": STOCK_MANAGERS,
    "outlet_settlement.adjust": STOCK_MANAGERS,
    "outlet_settlement.confirm": HQ_ONLY,
    "outlet_settlement.pay": HQ_ONLY,
    "missed_call.record": _grant(Role.ADMIN, Role.HQ, Role.HOTLINE),
    "callbacks.list": DISPATCHERS,
    "callback.record": DISPATCHERS,
    "articles.list": {role: Reach.ALL for role in Role if role is not Role.CUSTOMER},
    "article.upsert": _grant(Role.ADMIN, Role.HQ, Role.HOTLINE),
    # reports and maintenance from usage (issue 18): a clerk's figures are their branch's, an
    # agent's its own customers' (policy.py); the planner opens work as the system or HQ
    "report.read": _grant(Role.ADMIN, Role.HQ, Role.HOTLINE, Role.CLERK, Role.AGENT),
    "report.monthly": _grant(Role.ADMIN, Role.HQ, Role.CLERK, Role.AGENT),
    "maintenance.plan": HQ_ONLY,
    # dealers, the rest (issue 18): HQ records an agent's payments, which the agent reads;
    # the hotline and clerks open a ticket through an agent; an agent reads its stock ledger
    "agent_payment.record": HQ_ONLY,
    "agent_payments.list": _grant(Role.ADMIN, Role.HQ, Role.AGENT),
    "ticket.open_through_agent": _grant(Role.ADMIN, Role.HQ, Role.HOTLINE, Role.CLERK),
    "stock.ledger": _grant(STOCK_MANAGERS, Role.AGENT),  # quantities only, never costs
    # call backs assigned to a hotline agent (issue 18): the hotline's supervisors
    "callback.assign": _grant(Role.ADMIN, Role.HQ, Role.HOTLINE),
}


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET = _Unset.UNSET


def _identified(actor: Actor, reach: Reach) -> bool:
    """A narrow reach needs the record it is narrowed to (a clerk without a branch has none)."""
    match reach:
        case Reach.OWN_BRANCH:
            return actor.branch_id is not None
        case Reach.OWN_JOBS | Reach.OWN_OUTLET:
            return actor.technician_id is not None
        case Reach.OWN_DEALER:
            return actor.agent_id is not None
        case Reach.OWN_ACCOUNT:
            return actor.customer_id is not None
    return True


def allows(actor: Actor, operation: str, *, branch_id: str | _Unset | None = UNSET) -> bool:
    """Whether the actor may run ``operation`` (inside ``branch_id``, when a branch is named)."""
    reach = RULES[operation].get(actor.role)
    if reach is None or not _identified(actor, reach):
        return False
    return not (
        reach is Reach.OWN_BRANCH and branch_id is not UNSET and branch_id != actor.branch_id
    )


def check(actor: Actor, operation: str, *, branch_id: str | _Unset | None = UNSET) -> None:
    """Raise ``PermissionDenied`` unless the actor may run ``operation``.

    Without ``branch_id`` only the role is checked (before anything is read); with it, a
    branch-bound role must also be acting in its own branch.
    """
    if not allows(actor, operation, branch_id=branch_id):
        raise PermissionDenied


def move_operation(move: states.Move) -> str:
    return MOVES[move]


def allowed_roles(operation: str) -> frozenset[Role]:
    """The roles that may run ``operation`` at all (for the tests and the docs)."""
    return frozenset(RULES[operation])


def describe(operation: str) -> str:
    """``ADMIN, HQ; CLERK (own branch)``: the roles, those with a narrower reach last."""
    grant = RULES[operation]
    wide = [role.value for role, reach in grant.items() if reach is Reach.ALL]
    narrow = [f"{r.value} ({_LABELS[x]})" for r, x in grant.items() if x is not Reach.ALL]
    return "; ".join(part for part in (", ".join(wide), "; ".join(narrow)) if part)
