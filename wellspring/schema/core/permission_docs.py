"""Each mutation and restricted query says who may run it, generated from the domain's table
(``wellspring.domain.permissions.RULES``), as Saleor's ``Meta.permissions`` does.

``MUTATIONS`` and ``QUERIES`` map a root field to the operations its resolver runs (the first
is the field's own; a later one applies only in the case ``WHEN`` names). A test keeps every
mutation mapped, so no door opens without a declared rule.
"""

from __future__ import annotations

from graphql import GraphQLObjectType, GraphQLSchema

from wellspring.domain import permissions

# Root fields with no role rule: who may call them instead.
UNRESTRICTED: dict[str, str] = {
    "login": "Open to anyone: no sign-in.",
    "refreshToken": "Open to anyone holding a refresh token.",
    "logout": "Any signed-in user (their own session).",
    "trackVisit": "Open to anyone holding a working tracking link's token (rate-limited).",
}

MUTATIONS: dict[str, tuple[str, ...]] = {
    "revokeSession": ("session.revoke",),
    "unlockUser": ("user.unlock",),
    "changePassword": ("user.change_own_password",),
    "openTicket": ("ticket.open", "customer.create", "ticket.open_through_agent"),
    "approveTicket": ("ticket.approve", "ticket.approve_relocation"),
    "rejectTicket": ("ticket.reject",),
    "dispatchTicket": ("ticket.dispatch",),
    "assignJob": ("job.assign", "shift.override"),
    "cancelTicket": ("ticket.cancel",),
    "recordFollowUp": ("ticket.follow_up",),
    "routeTicket": ("ticket.route",),
    "resolveTicket": ("ticket.resolve",),
    "optimizeRoutes": ("routes.optimize",),
    "applyRoutePlan": ("routes.apply",),
    "geocodeAddress": ("address.geocode",),
    "acceptJob": ("job.accept",),
    "startTravel": ("job.start_travel",),
    "arriveOnSite": ("job.arrive",),
    "completeJob": ("job.complete",),
    "failJob": ("job.fail",),
    "consumeParts": ("parts.consume",),
    "updateLocation": ("location.update",),
    "moveStock": ("stock.move", "stock.return_material"),
    "receiveTransfer": ("stock.receive_transfer",),
    "decideBreakage": ("stock.decide_breakage",),
    "setSafetyStock": ("stock.set_safety",),
    "receiveMachine": ("stock.receive_machine",),
    "checkOldParts": ("old_parts.check",),
    "confirmReplacement": ("old_parts.confirm_replacement",),
    "resolveStockDiscrepancy": ("stock_discrepancy.resolve",),
    "upsertBranch": ("branch.upsert",),
    "upsertWarehouse": ("warehouse.upsert",),
    "upsertPart": ("part.upsert",),
    "upsertDeviceModel": ("device_model.upsert",),
    "upsertFaultCode": ("fault_code.upsert",),
    "upsertTechnician": ("technician.upsert",),
    "receiveCards": ("cards.receive",),
    "createUser": ("user.create",),
    "updateUser": ("user.update",),
    "updateCustomer": ("customer.update", "customer.assign"),
    "updateMyContact": ("customer.update_own_contact",),
    "reassignCustomer": ("customer.reassign",),
    "deactivateUser": ("user.deactivate",),
    "resetPassword": ("user.reset_password",),
    "requestUpload": ("attachment.request_upload",),
    "startImport": ("import.run",),
    "markNotificationsRead": ("notifications.mark_read",),
    "registerPushDevice": ("push_device.register",),
    "unregisterPushDevice": ("push_device.unregister",),
    "confirmUpload": ("attachment.confirm_upload",),
    # master data and import uploads (issue 14)
    "upsertRepairLevel": ("repair_level.upsert",),
    "upsertBinLocation": ("bin_location.upsert",),
    "requestImportUpload": ("import.upload",),
    # custom fields (issue 18 §4)
    "defineCustomField": ("custom_field.define",),
    "setCustomFieldValues": ("custom_field.set_values",),
    # customer tracking (issue 17); rateVisit and requestVisitChange with a link's token need
    # no sign-in (the token is the permission)
    "shareTrackingLink": ("tracking_link.share",),
    "revokeTrackingLinks": ("tracking_link.revoke",),
    "rateVisit": ("visit.rate",),
    "requestVisitChange": ("visit.request_change",),
    # dealers (issue 18)
    "upsertAgent": ("agent.upsert",),
    "placeAgentOrder": ("agent_order.place",),
    "confirmAgentOrder": ("agent_order.confirm",),
    "shipAgentOrder": ("agent_order.ship",),
    "cancelAgentOrder": ("agent_order.cancel",),
    "upsertPriceStandard": ("price_standard.upsert",),
    # outlets and the hotline's tools (issue 18)
    "upsertServiceOutlet": ("outlet.upsert",),
    "recordOutletAssessment": ("outlet.assess",),
    "generateOutletSettlement": ("outlet_settlement.generate",),
    "adjustOutletSettlement": ("outlet_settlement.adjust",),
    "confirmOutletSettlement": ("outlet_settlement.confirm",),
    "markOutletSettlementPaid": ("outlet_settlement.pay",),
    "recordMissedCall": ("missed_call.record",),
    "recordCallback": ("callback.record",),
    "upsertArticle": ("article.upsert",),
    # dealers, the rest (issue 18)
    "recordAgentPayment": ("agent_payment.record",),
    # call backs assigned to a hotline agent (issue 18)
    "assignCallback": ("callback.assign",),
    # notify (issue 16)
    "setNotificationPreferences": ("notifications.preferences",),
}

# Queries with a role rule; the others are open to every signed-in user, each row filtered by
# what the user may see (``domain/policy.py``).
QUERIES: dict[str, tuple[str, ...]] = {
    "technicians": ("technicians.list",),
    "jobs": ("jobs.list",),
    "accountCards": ("cards.list",),
    "machinesInStock": ("machines.list_in_stock",),
    "devicesSupplyExpiring": ("devices.supply_expiring",),
    "devicesFiltersDue": ("devices.filters_due",),
    "myVanStock": ("stock.van",),
    "stockSuggestions": ("stock.suggestions",),
    "consumptionReport": ("stock.report",),
    "stockValue": ("stock.report",),
    "followUpsDue": ("follow_ups.list",),
    "suggestTechnicians": ("technicians.suggest",),
    "myJobs": ("jobs.mine",),
    "onlineSessions": ("session.list",),
    "auditLog": ("audit.read",),
    "evidenceOverdueJobs": ("evidence.overdue_list",),
    "import": ("import.run",),
    "myNotifications": ("notifications.read",),
    # master data (issue 14)
    "binLocations": ("bin_location.list",),
    # customer tracking (issue 17)
    "visitTracking": ("visit.track",),
    # dealers (issue 18)
    "agents": ("agents.list",),
    "agentOrders": ("agent_orders.list",),
    "territoryConflicts": ("territory_conflicts.list",),
    "priceStandards": ("price_standards.list",),
    # outlets and the hotline's tools (issue 18)
    "serviceOutlets": ("outlets.list",),
    "outletSettlements": ("outlet_settlements.list",),
    "outletAssessmentForm": ("outlet.assess",),
    "callbacksDue": ("callbacks.list",),
    "articles": ("articles.list",),
    # reports (issue 18)
    "serviceKpis": ("report.read",),
    "openTicketsReport": ("report.read",),
    "repairsReport": ("report.read",),
    "partsConsumedReport": ("report.read",),
    "cardsReport": ("report.read",),
    "rechargesReport": ("report.read",),
    "supplyExpiringReport": ("report.read",),
    "engineersReport": ("report.read",),
    "followUpsReport": ("report.read",),
    # dealers, the rest (issue 18)
    "agentPayments": ("agent_payments.list",),
    "stockLedger": ("stock.ledger",),
    # notify (issue 16)
    "myNotificationPreferences": ("notifications.preferences",),
}

# Operations run through the phone's sync endpoint rather than GraphQL (docs/sync.md).
SYNC: dict[str, str] = {
    "sync.use": "`POST /sync/pull`, `POST /sync/push`",
    "job.record_event": "sync push: `job_events`",
    "job.add_note": "sync push: `job_notes`",
    "job.record_water_test": "sync push: `water_tests`",
    "job.reschedule": "sync push: `jobs` (appointment window)",
    "parts.consume": "sync push: `part_consumptions`",
    "attachment.register": "sync push: `attachments`",
}

# Operations reached through plain HTTP (docs/operations.md, "Exporting a list").
HTTP: dict[str, str] = {
    "list.export": "`GET /export/<list>.csv|.xlsx`",
    # the PBX's webhook runs as the system once its signature checks (docs/operations.md)
    # reports (issue 18)
    "report.monthly": "`GET /reports/monthly.xlsx?month=YYYY-MM`, `wellspring report monthly`",
    "maintenance.plan": "`wellspring maintenance plan`, the periodic worker",
}

# The case in which a field's second operation applies.
# Live updates (issue 16): each event also passes the policy scope of its object.
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "boardEvents": ("live.board",),
    "myJobEvents": ("live.my_jobs",),
    "visitEvents": ("live.visit",),
}

WHEN: dict[str, str] = {
    "customer.create": "With a new customer",
    "ticket.approve_relocation": "A relocation",
    "stock.return_material": "A material return (MATERIAL_RETURN)",
    "shift.override": "Booking outside the shift (allowOutsideShift)",
    # dealers, the rest (issue 18)
    "ticket.open_through_agent": "Naming the agent it goes through (agentId)",
    "customer.assign": "Setting tier, salespersonId or serviceTechnicianId",
}


def requirement(operations: tuple[str, ...]) -> str:
    """``Requires: ADMIN, HQ; CLERK (own branch).`` and the conditional operations after it."""
    first, *others = operations
    parts = [f"Requires: {permissions.describe(first)}."]
    parts += [f"{WHEN[op]}: {permissions.describe(op)}." for op in others]
    return " ".join(parts)


def _append(root: GraphQLObjectType | None, table: dict[str, tuple[str, ...]]) -> None:
    if root is None:
        return
    for name, field in root.fields.items():
        note = requirement(table[name]) if name in table else UNRESTRICTED.get(name)
        if note:
            field.description = f"{field.description}\n{note}" if field.description else note


def describe_permissions(schema: GraphQLSchema) -> None:
    """Append, once, who may call each mutation and restricted query to its description."""
    _append(schema.mutation_type, MUTATIONS)
    _append(schema.query_type, QUERIES)
    _append(schema.subscription_type, SUBSCRIPTIONS)


def markdown_table() -> str:
    """The table for docs/api.md: each operation, who may run it, and where it is called."""
    doors: dict[str, list[str]] = {op: [] for op in permissions.RULES}
    tables = ((MUTATIONS, "mutation"), (QUERIES, "query"), (SUBSCRIPTIONS, "subscription"))
    for table, kind in tables:
        for name, operations in table.items():
            for op in operations:
                doors[op].append(f"`{name}` ({kind})")
    for op, door in (*SYNC.items(), *HTTP.items()):
        doors[op].append(door)
    rows = ["| operation | who (reach) | called by |", "|---|---|---|"]
    rows += [
        f"| `{op}` | {permissions.describe(op)} | {', '.join(doors[op])} |"
        for op in permissions.RULES
    ]
    return "\n".join(rows)
