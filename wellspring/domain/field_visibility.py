"""Which fields of the API each role may resolve (OWASP API3, object property level).

``policy`` decides which rows an actor sees; this decides which of their fields. A customer
is closed by default: only the fields in ``CUSTOMER_FIELDS`` resolve, everything else is
null with a ``FORBIDDEN`` error, so a field added to the API stays hidden from customers until
it is listed here. Staff roles resolve every field except those in ``HIDDEN_FIELDS``.
Names are the API's (GraphQL type and field names); docs/api.md lists the same tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .models.enums import Role

_CONNECTION = frozenset({"edges", "nodes", "pageInfo", "totalCount", "totalCountExact"})
_EDGE = frozenset({"node", "cursor"})

# What the customer page needs: their profile, sites, devices and their care, their tickets
# and visits (status, appointment, ETA, the engineer's name). Not: internal notes, grading,
# owners and salespeople, staff names, desk routing, the engineer's record or van, prices
# at cost, reports and part ledgers.
CUSTOMER_FIELDS: Mapping[str, frozenset[str]] = {
    "Query": frozenset(
        {"node", "me", "customers", "customer", "device", "deviceModels", "tickets", "ticket"}
        | {"branches", "myNotifications", "trackVisit", "visitTracking"}
        | {"myNotificationPreferences"}  # notify (issue 16): the opt-out
    ),
    "Mutation": frozenset(
        {"login", "refreshToken", "logout", "openTicket", "markNotificationsRead"}
        | {"registerPushDevice", "unregisterPushDevice", "rateVisit", "requestVisitChange"}
        | {"setNotificationPreferences"}
        | {"changePassword", "updateMyContact"}  # their own password and contact details
    ),
    "Subscription": frozenset({"visitEvents"}),
    "LiveEvent": frozenset(
        {"id", "cursor", "kind", "at", "ticketId", "jobId", "number", "status", "eta"}
        | {"appointmentStart", "appointmentEnd", "latitude", "longitude"}
    ),
    "NotificationConnection": _CONNECTION,
    "NotificationEdge": _EDGE,
    "Notification": frozenset(
        {"id", "kind", "title", "body", "eventId", "createdAt", "readAt", "read", "ticket", "job"}
    ),
    "MarkNotificationsReadPayload": frozenset({"marked", "unreadCount", "errors"}),
    "RegisterPushDevicePayload": frozenset({"device", "errors"}),
    "UnregisterPushDevicePayload": frozenset({"removed", "errors"}),
    "NotificationPreferences": frozenset({"mutedNonEssential"}),
    "SetNotificationPreferencesPayload": frozenset({"preferences", "errors"}),
    "PushDevice": frozenset(
        {"id", "provider", "tokenKind", "appId", "platform", "locale", "createdAt"}
    ),
    "LoginPayload": frozenset({"token", "refreshToken", "expiresAt", "user", "errors"}),
    "RefreshTokenPayload": frozenset({"token", "refreshToken", "expiresAt", "errors"}),
    "LogoutPayload": frozenset({"ok", "errors"}),
    "ChangePasswordPayload": frozenset({"user", "errors"}),
    "MasterdataError": frozenset({"field", "code", "message"}),
    "UpdateMyContactPayload": frozenset({"customer", "errors"}),
    # The open ticket a duplicate points to is of the customer's own device; existingCustomer
    # (another customer with the phone) is for staff only.
    "OpenTicketPayload": frozenset({"ticket", "existingTicket", "errors"}),
    "AuthError": frozenset({"field", "code", "message"}),
    "WorkflowError": frozenset({"field", "code", "message"}),
    "NotificationError": frozenset({"field", "code", "message"}),
    "PageInfo": frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"}),
    "CustomerConnection": _CONNECTION,
    "CustomerEdge": _EDGE,
    "TicketConnection": _CONNECTION,
    "TicketEdge": _EDGE,
    "WaterTestConnection": _CONNECTION,
    "DeviceConnection": _CONNECTION,
    "DeviceEdge": _EDGE,
    "AccountCardConnection": _CONNECTION,
    "AccountCardEdge": _EDGE,
    "WaterTestEdge": _EDGE,
    # Their own branch (as Customer.branch shows it): the Me document asks every role for it.
    "User": frozenset(
        {"id", "username", "displayName", "role", "roles", "phone", "locale", "branch"}
    ),
    "Branch": frozenset({"id", "code", "name", "nameEn", "province", "city", "address", "phone"}),
    "Customer": frozenset(
        {"id", "code", "name", "kind", "phone", "branch", "createdAt", "addresses"}
        | {"defaultAddress", "contacts", "devices", "cards", "tickets", "ticketsConnection"}
        | {"devicesConnection", "cardsConnection"}
    ),
    "Address": frozenset(
        {"id", "label", "province", "city", "district", "street", "community", "building"}
        | {"room", "postalCode", "fullText", "latitude", "longitude", "isDefault"}
    ),
    "Contact": frozenset({"id", "name", "phone", "relation", "isPrimary"}),
    "Device": frozenset(
        {"id", "serialNumber", "model", "contractNumber", "status", "openedOn", "price"}
        | {"customer", "address", "supplyMode", "supplyExpiresOn", "bucketBalance"}
        | {"firstRechargedAt", "installedAt", "card", "waterTests", "filters", "cards"}
        | {"tickets", "ticketsConnection", "waterTestsConnection"}
    ),
    "Money": frozenset({"amount", "currency"}),
    "DeviceModel": frozenset({"id", "code", "name", "supplyMode", "filters"}),
    "FilterType": frozenset({"id", "stage", "name", "lifetimeDays"}),
    "DeviceFilter": frozenset({"filterType", "lastChangedOn", "dueOn", "due"}),
    "WaterTest": frozenset(
        {"id", "testedAt", "tds", "ph", "residualChlorine", "turbidity", "temperature"}
        | {"passed", "failures"}
    ),
    "AccountCard": frozenset(
        {"id", "cardNumber", "status", "customer", "device", "activatedAt", "cancelledAt"}
    ),
    "Ticket": frozenset(
        {"id", "number", "type", "status", "priority", "channel", "customer", "branch"}
        | {"device", "card", "address", "description", "details", "dueAt", "overdue"}
        | {"closedAt", "statusReason", "createdAt", "updatedAt", "jobs", "history"}
        | {"linkedTicket", "linkedFrom", "typeDetails"}
    ),
    # What they asked for, as ``CUSTOMER_TICKET_DETAILS`` (not the desk's routing trail).
    "TicketTypeDetails": frozenset({"install", "recharge", "relocateTo", "resolution"}),
    "InstallRequest": frozenset(
        {"cardNumber", "deviceModel", "serialNumber", "contractNumber", "price"}
    ),
    "RechargeRequest": frozenset({"plan", "quantity", "unitPrice", "paymentMethod"}),
    "RequestedAddress": frozenset(
        {"province", "city", "district", "street", "community", "building", "room"}
        | {"latitude", "longitude", "isApproximate"}
    ),
    "TicketStatusChange": frozenset({"id", "from", "to", "at", "reason"}),
    "Job": frozenset(
        {"id", "number", "ticket", "technicianName", "status", "appointmentStart"}
        | {"appointmentEnd", "acceptedAt", "startedTravelAt", "arrivedAt", "completedAt"}
        | {"statusReason", "confirmationNumber", "eta", "etaUpdatedAt", "history"}
        | {"attachments"}
    ),
    "JobStatusChange": frozenset({"id", "from", "to", "at", "reason"}),
    # Their visits' verified files (their signed form, the photos), as stripped copies only:
    # never the original (which keeps the phone's EXIF and GPS) nor why a file was refused.
    "Attachment": frozenset(
        {"id", "kind", "status", "contentType", "takenAt", "verifiedAt", "width", "height"}
        | {"url", "thumbnailUrl"}
    ),
    # The tracking view (issue 17): made for customers, every field of it is theirs.
    "TrackedVisit": frozenset(
        {"ticketId", "ticketNumber", "ticketType", "stage", "steps", "windowStart"}
        | {"windowEnd", "eta", "engineer", "engineerPosition", "positionAt", "destination"}
        | {"hotline", "canRate", "score", "canRequestChange", "changeRequested", "expiresAt"}
    ),
    "VisitStep": frozenset({"stage", "reached", "at"}),
    "VisitEngineer": frozenset({"name", "phone", "photoUrl"}),
    "MapPoint": frozenset({"latitude", "longitude"}),
    "RateVisitPayload": frozenset({"visit", "complaintOpened", "errors"}),
    "RequestVisitChangePayload": frozenset({"visit", "errors"}),
    "TrackingError": frozenset({"field", "code", "message"}),
}

# Fields staff roles may not resolve. An agent (a dealer) must not learn what the company's
# engineers carry in their vans.
HIDDEN_FIELDS: Mapping[Role, Mapping[str, frozenset[str]]] = {
    Role.AGENT: {
        "ExpectedPart": frozenset({"inVan"}),
        "PartShortage": frozenset({"inVan"}),
    },
}

# The keys of ``Ticket.details`` a customer reads: what they asked for and how it was
# resolved. The desk's routing trail (notes, staff ids), expected parts and anything else
# stay internal.
CUSTOMER_TICKET_DETAILS = frozenset({"install", "recharge", "relocate_to", "resolution"})


def may_resolve(role: Role, type_name: str, field_name: str) -> bool:
    if role is Role.CUSTOMER:
        return field_name in CUSTOMER_FIELDS.get(type_name, frozenset())
    return field_name not in HIDDEN_FIELDS.get(role, {}).get(type_name, frozenset())


def roles_denied(type_name: str, field_name: str) -> frozenset[Role]:
    """The roles that may not resolve this field (empty: everyone may)."""
    return frozenset(r for r in Role if not may_resolve(r, type_name, field_name))


def ticket_details_for(role: Role, details: Mapping[str, Any]) -> dict[str, Any]:
    """``Ticket.details`` as the role may read it."""
    if role is Role.CUSTOMER:
        return {k: v for k, v in details.items() if k in CUSTOMER_TICKET_DETAILS}
    return dict(details)


# What the system writes in a status history (``workflow/states.system_reason``).
_SYSTEM_REASON = re.compile(r"^@[A-Z_]+(?::.*)?$", re.DOTALL)


def reason_for(role: Role | None, text: str) -> str:
    """A status reason as the role reads it. A customer reads the reasons the system writes
    (reassigned, agreed by the engineer ...), never the staff's own words: a cancel or reject
    reason is typed for colleagues and may be an internal note about the customer."""
    if role is Role.CUSTOMER and not _SYSTEM_REASON.match(text):
        return ""
    return text
