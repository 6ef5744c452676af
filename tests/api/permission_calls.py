"""One call per operation of the permission table (``domain/permissions.py``), each through
its real use case with ids that match nothing: ``test_permissions.py`` runs every one as
every role. Past the gate comes NOT_FOUND (or another domain error, or an answer);
before it, PermissionDenied.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from wellspring.domain import (
    audit,
    auth,
    customer_owner,
    customer_profile,
    login_throttle,
    passwords,
    water,
)
from wellspring.domain.actor import Actor
from wellspring.domain.agents import dealers, prices, shipping, territory
from wellspring.domain.agents import orders as agent_orders
from wellspring.domain.agents import payments as agent_payments
from wellspring.domain.custom_fields import definitions as custom_definitions
from wellspring.domain.custom_fields import records as custom_records
from wellspring.domain.dispatch import board, geocoding, positions, route_apply, routes, suggest
from wellspring.domain.exports import lists as export_lists
from wellspring.domain.hotline import articles as kb
from wellspring.domain.hotline import missed_calls
from wellspring.domain.imports import reads as import_reads
from wellspring.domain.imports import uploads as import_uploads
from wellspring.domain.inventory import (
    consumption,
    discrepancies,
    machines,
    movements,
    old_parts,
    reports,
    spares,
    stock_settings,
)
from wellspring.domain.inventory import queries as stock_queries
from wellspring.domain.masterdata import (
    bin_locations,
    branches,
    cards,
    catalogue,
    fault_codes,
    repair_levels,
    technicians,
    users,
)
from wellspring.domain.media import confirmation, uploads
from wellspring.domain.media import reading as media_reading
from wellspring.domain.models import Ticket, utcnow
from wellspring.domain.models.enums import (
    AgentPaymentMethod,
    AttachmentKind,
    CallbackOutcome,
    CustomerTier,
    CustomFieldEntity,
    DiscrepancyResolution,
    MovementKind,
    PushPlatform,
    PushProvider,
    Role,
    TicketStatus,
    TicketType,
)
from wellspring.domain.notifications import inbox, live
from wellspring.domain.outlets import assessments, outlets, settlements
from wellspring.domain.reports import monthly as report_monthly
from wellspring.domain.reports import planner as report_planner
from wellspring.domain.reports import service as report_service
from wellspring.domain.tracking import actions as tracking_actions
from wellspring.domain.tracking import links as tracking_links
from wellspring.domain.tracking import reads as tracking_reads
from wellspring.domain.workflow import (
    desk,
    dispatching,
    engineer_moves,
    fieldwork,
    follow_ups,
    opening,
)
from wellspring.domain.workflow import queries as work_queries
from wellspring.domain.workflow.requests import AddressInput, NewCustomerInput, OpenTicketRequest

NOPE = "00000000-0000-4000-8000-000000000000"  # an id nothing has: allowed roles get NOT_FOUND


@dataclass
class World:
    runner: asyncio.Runner
    engine: AsyncEngine
    actors: dict[Role, Actor] = field(default_factory=dict)
    created_ticket: str = ""  # a ticket of the clerk's branch (made a new relocation)


Call = Callable[[AsyncSession, Actor, World], Awaitable[Any]]


async def _relocation(s: AsyncSession, a: Actor, w: World) -> Any:
    ticket = await s.get(Ticket, w.created_ticket)
    assert ticket is not None
    ticket.type, ticket.status = TicketType.RELOCATE, TicketStatus.CREATED  # rolled back
    await s.flush()
    return await dispatching.approve_ticket(s, a, ticket_id=ticket.id)


_NEW = NewCustomerInput(name="", phone="", address=AddressInput(province="", city="", district=""))


# One call per operation, with ids that match nothing: past the gate comes NOT_FOUND (or
# another domain error, or an answer); before it, PermissionDenied.
def _register_device(s: AsyncSession, a: Actor, w: World) -> Any:
    return inbox.register_device(
        s,
        a,
        provider=PushProvider.FCM,
        token=None,
        fid=None,
        app_id="x",
        platform=PushPlatform.ANDROID,
        locale="zh-CN",
    )


_PHOTO = uploads.NewAttachment(
    job_id=NOPE, kind=AttachmentKind.PHOTO, content_type="image/jpeg", byte_size=1, sha256="0" * 64
)

CALLS: dict[str, Call] = {
    "notifications.read": lambda s, a, w: inbox.my_notifications(s, a, first=1, after=None),
    "notifications.mark_read": lambda s, a, w: inbox.mark_read(
        s, a, ids=[NOPE], everything=False, now=utcnow()
    ),
    "notifications.preferences": lambda s, a, w: inbox.set_muted(s, a, muted=False),
    "push_device.register": _register_device,
    "push_device.unregister": lambda s, a, w: inbox.unregister_device(
        s, a, provider=PushProvider.FCM, token=""
    ),
    "live.board": lambda s, a, w: live.open_board(s, a, branch_id=a.branch_id or NOPE),
    "live.my_jobs": lambda s, a, w: live.open_my_jobs(s, a),
    "live.visit": lambda s, a, w: live.open_visit(s, a, ticket_id=NOPE),
    "import.run": lambda s, a, w: import_reads.get_run(s, a, NOPE),
    "list.export": lambda s, a, w: export_lists.export(
        s, a, export_lists.ExportList.TICKETS, {}, now=utcnow()
    ),
    "fault_code.upsert": lambda s, a, w: fault_codes.upsert_fault_code(
        s, a, change=fault_codes.FaultCodeChange(code="E99")
    ),
    "attachment.register": lambda s, a, w: uploads.register(s, a, _PHOTO, now=utcnow()),
    "attachment.request_upload": lambda s, a, w: uploads.request_upload(s, a, _PHOTO, now=utcnow()),
    "attachment.confirm_upload": lambda s, a, w: confirmation.begin(s, a, attachment_id=NOPE),
    "evidence.overdue_list": lambda s, a, w: media_reading.overdue_evidence(
        s, a, now=utcnow(), first=1, after=None
    ),
    "ticket.open": lambda s, a, w: opening.open_ticket(
        s, a, request=OpenTicketRequest(type=TicketType.REPAIR, customer_id=NOPE)
    ),
    "customer.create": lambda s, a, w: opening.open_ticket(
        s, a, request=OpenTicketRequest(type=TicketType.REPAIR, new_customer=_NEW)
    ),
    "customer.update": lambda s, a, w: customer_profile.update_customer(
        s, a, change=customer_profile.CustomerChange(id=NOPE, note="x")
    ),
    "customer.assign": lambda s, a, w: customer_profile.update_customer(
        s, a, change=customer_profile.CustomerChange(id=NOPE, tier=CustomerTier.GOLD)
    ),
    "customer.reassign": lambda s, a, w: customer_owner.reassign_customer(
        s, a, customer_id=NOPE, branch_id=NOPE
    ),
    "ticket.approve": lambda s, a, w: dispatching.approve_ticket(s, a, ticket_id=NOPE),
    "ticket.approve_relocation": _relocation,
    "ticket.reject": lambda s, a, w: dispatching.reject_ticket(s, a, ticket_id=NOPE, reason="x"),
    "ticket.dispatch": lambda s, a, w: dispatching.dispatch_ticket(
        s, a, ticket_id=NOPE, branch_id=NOPE
    ),
    "job.assign": lambda s, a, w: dispatching.assign_job(s, a, job_id=NOPE, technician_id=NOPE),
    "ticket.cancel": lambda s, a, w: dispatching.cancel_ticket(s, a, ticket_id=NOPE, reason="x"),
    "ticket.follow_up": lambda s, a, w: follow_ups.record_follow_up(s, a, ticket_id=NOPE, score=5),
    "ticket.route": lambda s, a, w: desk.route_ticket(s, a, ticket_id=NOPE, department="x"),
    "ticket.resolve": lambda s, a, w: desk.resolve_ticket(s, a, ticket_id=NOPE, resolution="x"),
    "job.accept": lambda s, a, w: engineer_moves.accept_job(s, a, job_id=NOPE),
    "job.start_travel": lambda s, a, w: engineer_moves.start_travel(s, a, job_id=NOPE),
    "job.arrive": lambda s, a, w: engineer_moves.arrive_on_site(s, a, job_id=NOPE),
    "job.complete": lambda s, a, w: engineer_moves.complete_job(s, a, job_id=NOPE, report={}),
    "job.fail": lambda s, a, w: engineer_moves.fail_job(s, a, job_id=NOPE, reason="x"),
    "follow_ups.list": lambda s, a, w: work_queries.follow_ups_due(s, a, first=1, after=None),
    "jobs.mine": lambda s, a, w: work_queries.my_jobs(s, a, day=None),
    "devices.supply_expiring": lambda s, a, w: work_queries.supply_expiring(
        s, a, within_days=1, include_expired=False, first=1, after=None
    ),
    "devices.filters_due": lambda s, a, w: work_queries.filters_due(
        s, a, within_days=1, first=1, after=None
    ),
    "job.record_event": lambda s, a, w: fieldwork.record_job_event(
        s, a, event_id=NOPE, job_id=NOPE, action="ACCEPT"
    ),
    "job.add_note": lambda s, a, w: fieldwork.add_job_note(
        s, a, note_id=NOPE, job_id=NOPE, body="x"
    ),
    "job.record_water_test": lambda s, a, w: fieldwork.record_water_test(
        s, a, test_id=NOPE, job_id=NOPE, readings=water.Readings()
    ),
    "job.reschedule": lambda s, a, w: fieldwork.reschedule_by_engineer(
        s, a, job_id=NOPE, start=None, end=None, seen_version=1
    ),
    "technicians.list": lambda s, a, w: board.technicians_page(
        s, a, branch_id=None, search=None, first=1, after=None
    ),
    "jobs.list": lambda s, a, w: board.jobs_page(
        s, a, filter=board.JobFilter(), now=utcnow(), first=1, after=None
    ),
    "technicians.suggest": lambda s, a, w: suggest.suggest_technicians(s, a, job_id=NOPE),
    "routes.optimize": lambda s, a, w: routes.optimize_routes(
        s, a, branch_id=NOPE, day=dt.date.today()
    ),
    "routes.apply": lambda s, a, w: route_apply.apply_route_plan(s, a, plan_id=NOPE),
    "address.geocode": lambda s, a, w: geocoding.geocode_address(s, a, address_id=NOPE),
    "location.update": lambda s, a, w: positions.update_location(
        s, a, latitude=31.23, longitude=121.47
    ),
    "stock.move": lambda s, a, w: movements.move_stock(s, a, kind=MovementKind.RECEIPT, lines=[]),
    "stock.return_material": lambda s, a, w: movements.move_stock(
        s, a, kind=MovementKind.MATERIAL_RETURN, lines=[]
    ),
    "stock.receive_transfer": lambda s, a, w: movements.receive_transfer(s, a, movement_id=NOPE),
    "stock.decide_breakage": lambda s, a, w: movements.decide_breakage(
        s, a, movement_id=NOPE, approve=False
    ),
    "stock.set_safety": lambda s, a, w: stock_settings.set_safety_stock(
        s, a, warehouse_id=NOPE, part_id=NOPE
    ),
    "stock.receive_machine": lambda s, a, w: machines.receive_machine(
        s, a, warehouse_id=NOPE, device_model_id=NOPE, serial_number="X"
    ),
    "old_parts.check": lambda s, a, w: old_parts.check_old_parts(s, a, movement_id=NOPE, counts=[]),
    "old_parts.confirm_replacement": lambda s, a, w: old_parts.confirm_replacement(
        s, a, movement_id=NOPE
    ),
    "stock_discrepancy.resolve": lambda s, a, w: discrepancies.resolve(
        s, a, discrepancy_id=NOPE, resolution=DiscrepancyResolution.WRITE_OFF
    ),
    "stock.suggestions": lambda s, a, w: stock_queries.suggestions(s, a),
    "stock.report": lambda s, a, w: reports.stock_value(s, a),
    "stock.van": lambda s, a, w: stock_queries.my_van(s, a),
    "parts.consume": lambda s, a, w: consumption.consume_parts(
        s, a, job_id=NOPE, lines=[], client_id="x"
    ),
    "cards.list": lambda s, a, w: spares.account_cards_page(
        s, a, filter=spares.CardFilter(), first=1, after=None
    ),
    "machines.list_in_stock": lambda s, a, w: spares.machines_in_stock_page(
        s, a, warehouse_id=NOPE, model_id=None, first=1, after=None
    ),
    "branch.upsert": lambda s, a, w: branches.upsert_branch(
        s, a, change=branches.BranchChange(id=NOPE)
    ),
    "warehouse.upsert": lambda s, a, w: _warehouse(s, a),
    "part.upsert": lambda s, a, w: catalogue.upsert_part(
        s, a, change=catalogue.PartChange(id=NOPE)
    ),
    "device_model.upsert": lambda s, a, w: catalogue.upsert_device_model(
        s, a, change=catalogue.DeviceModelChange(id=NOPE)
    ),
    "cards.receive": lambda s, a, w: cards.receive_cards(
        s, a, warehouse_id=NOPE, from_number="1", to_number="1"
    ),
    "technician.upsert": lambda s, a, w: technicians.upsert_technician(
        s, a, change=technicians.TechnicianChange(id=NOPE)
    ),
    "user.create": lambda s, a, w: users.create_login(
        s, a, login=users.NewLogin(username="", password="", role=Role.HOTLINE)
    ),
    "user.update": lambda s, a, w: users.update_user(s, a, change=users.UserChange(id=NOPE)),
    "user.deactivate": lambda s, a, w: users.deactivate_user(s, a, user_id=NOPE),
    "user.reset_password": lambda s, a, w: users.reset_password(s, a, user_id=NOPE, password="x"),
    "user.unlock": lambda s, a, w: login_throttle.unlock_user(s, a, user_id=NOPE),
    "user.change_own_password": lambda s, a, w: passwords.change_own_password(
        s, a, current_password="x", new_password="x", limits=login_throttle.Limits()
    ),
    "customer.update_own_contact": lambda s, a, w: customer_profile.update_own_contact(
        s, a, change=customer_profile.ContactChange(phone="x")
    ),
    "session.list": lambda s, a, w: auth.online_sessions(
        s, a, active_within=dt.timedelta(minutes=5), first=1, after=None
    ),
    "session.revoke": lambda s, a, w: auth.revoke_session(s, a, session_id=NOPE),
    "audit.read": lambda s, a, w: audit.log_page(s, a, first=1, after=None),
    # master data: repair levels, bin locations, import uploads (issue 14)
    "repair_level.upsert": lambda s, a, w: repair_levels.upsert_repair_level(
        s, a, change=repair_levels.RepairLevelChange(code="LEVEL_1")
    ),
    "bin_location.upsert": lambda s, a, w: bin_locations.upsert_bin_location(
        s, a, change=bin_locations.BinLocationChange(warehouse_id=NOPE, code="A-1")
    ),
    "bin_location.list": lambda s, a, w: bin_locations.bin_locations(s, a, warehouse_id=NOPE),
    "import.upload": lambda s, a, w: import_uploads.request_upload(
        s, a, import_uploads.NewImportUpload("a.csv", "text/csv", 1, "0" * 64), now=utcnow()
    ),
    # custom fields (issue 18 §4)
    "custom_field.define": lambda s, a, w: custom_definitions.define(
        s, a, change=custom_definitions.FieldDefinition(entity=CustomFieldEntity.TICKET, key="")
    ),
    "custom_field.set_values": lambda s, a, w: custom_records.set_values(
        s, a, entity=CustomFieldEntity.TICKET, record_id=NOPE, given={}
    ),
    "tracking_link.share": lambda s, a, w: tracking_links.share_link(s, a, ticket_id=NOPE),
    "tracking_link.revoke": lambda s, a, w: tracking_links.revoke_links(s, a, ticket_id=NOPE),
    "visit.track": lambda s, a, w: tracking_reads.view_for_customer(
        s, a, ticket_id=NOPE, now=utcnow()
    ),
    "visit.rate": lambda s, a, w: tracking_actions.rate_as_customer(s, a, ticket_id=NOPE, score=5),
    "visit.request_change": lambda s, a, w: tracking_actions.request_change_as_customer(
        s, a, ticket_id=NOPE, kind=tracking_actions.ChangeKind.CANCEL, note=None
    ),
    # dealers (issue 18)
    "agent.upsert": lambda s, a, w: dealers.upsert_agent(s, a, change=dealers.AgentChange(id=NOPE)),
    "agents.list": lambda s, a, w: dealers.agents_page(s, a, search=None, first=1, after=None),
    "agent_order.place": lambda s, a, w: agent_orders.place_agent_order(s, a, lines=[]),
    "agent_order.confirm": lambda s, a, w: agent_orders.confirm_agent_order(s, a, order_id=NOPE),
    "agent_order.ship": lambda s, a, w: shipping.ship_agent_order(
        s, a, order_id=NOPE, from_warehouse_id=NOPE
    ),
    "agent_order.cancel": lambda s, a, w: agent_orders.cancel_agent_order(
        s, a, order_id=NOPE, reason="x"
    ),
    "agent_orders.list": lambda s, a, w: agent_orders.orders_page(
        s, a, agent_id=None, status=None, first=1, after=None
    ),
    "territory_conflicts.list": lambda s, a, w: territory.conflicts_page(
        s, a, agent_id=None, first=1, after=None
    ),
    "price_standard.upsert": lambda s, a, w: prices.upsert_price_standard(
        s, a, change=prices.PriceChange(id=NOPE)
    ),
    "price_standards.list": lambda s, a, w: prices.price_standards_page(
        s, a, kind=None, province=None, on=None, first=1, after=None
    ),
    # outlets and the hotline's tools (issue 18)
    "outlets.list": lambda s, a, w: outlets.outlets_page(s, a, search=None, first=1, after=None),
    "outlet.upsert": lambda s, a, w: outlets.upsert_outlet(
        s, a, change=outlets.OutletChange(id=NOPE)
    ),
    "outlet.assess": lambda s, a, w: assessments.assessment_form(
        s, a, outlet_id=NOPE, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 2)
    ),
    "outlet_settlements.list": lambda s, a, w: settlements.settlements_page(
        s, a, outlet_id=None, month=None, first=1, after=None
    ),
    "outlet_settlement.generate": lambda s, a, w: settlements.generate_settlement(
        s, a, outlet_id=NOPE, month="2026-11"
    ),
    "outlet_settlement.adjust": lambda s, a, w: settlements.adjust_settlement(
        s, a, settlement_id=NOPE, amount=Decimal(1), reason="x"
    ),
    "outlet_settlement.confirm": lambda s, a, w: settlements.confirm_settlement(
        s, a, settlement_id=NOPE
    ),
    "outlet_settlement.pay": lambda s, a, w: settlements.mark_settlement_paid(
        s, a, settlement_id=NOPE
    ),
    "missed_call.record": lambda s, a, w: missed_calls.record_missed_call(
        s, a, report=missed_calls.MissedCallReport("", "", utcnow())
    ),
    "callbacks.list": lambda s, a, w: missed_calls.callbacks_due(
        s, a, order=missed_calls.CallbackOrder.NEWEST, first=1, after=None
    ),
    "callback.record": lambda s, a, w: missed_calls.record_callback(
        s, a, missed_call_id=NOPE, outcome=CallbackOutcome.REACHED
    ),
    "articles.list": lambda s, a, w: kb.articles_page(
        s, a, search_text=None, model_id=None, fault_code=None, first=1, after=None
    ),
    "article.upsert": lambda s, a, w: kb.upsert_article(s, a, change=kb.ArticleChange(id=NOPE)),
    # reports (issue 18): a day of figures, the month's workbook, the planner (rolled back)
    "report.read": lambda s, a, w: report_service.service_kpis(
        s, a, branch_id=None, first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 1)
    ),
    "report.monthly": lambda s, a, w: report_monthly.summary(s, a, month="2026-11"),
    "maintenance.plan": lambda s, a, w: report_planner.plan_maintenance(s, a),
    # dealers, the rest (issue 18)
    "agent_payment.record": lambda s, a, w: agent_payments.record_agent_payment(
        s,
        a,
        request=agent_payments.PaymentRequest(
            agent_id=NOPE,
            amount=Decimal("1"),
            paid_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
            method=AgentPaymentMethod.CASH,
            client_reference="x",
        ),
    ),
    "agent_payments.list": lambda s, a, w: agent_payments.payments_page(
        s, a, agent_id=None, first=1, after=None
    ),
    "ticket.open_through_agent": lambda s, a, w: territory.through_agent(s, a, NOPE),
    "stock.ledger": lambda s, a, w: stock_queries.ledger(
        s, a, warehouse_id=NOPE, part_id=None, first=1, after=None
    ),
    # call backs assigned to a hotline agent (issue 18)
    "callback.assign": lambda s, a, w: missed_calls.assign_callback(
        s, a, missed_call_id=NOPE, user_id=None
    ),
}


async def _warehouse(s: AsyncSession, a: Actor) -> Any:
    from wellspring.domain.masterdata import warehouses

    return await warehouses.upsert_warehouse(s, a, change=warehouses.WarehouseChange(id=NOPE))
