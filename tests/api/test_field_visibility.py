"""Which fields each role resolves (reliability.md row 3): a snapshot, then the guard at work.

The snapshot is written out here, not derived from ``domain.field_visibility``: a field that
becomes visible to customers (or hidden from staff) must change this file on purpose.
"""

from __future__ import annotations

import json

import pytest
from graphql import GraphQLObjectType
from sqlalchemy import select

from tests.api.workflow_steps import doc, ids, ok, payload
from tests.conftest import GraphQL
from tests.factories import fetch
from wellspring.domain import models as m
from wellspring.domain.field_visibility import CUSTOMER_FIELDS, HIDDEN_FIELDS, may_resolve
from wellspring.domain.models.enums import DeviceStatus, Role
from wellspring.schema import build_schema
from wellspring.schema.core.ids import global_id

CUSTOMER_SNAPSHOT = {
    "Subscription": "visitEvents",
    "AccountCard": "activatedAt cancelledAt cardNumber customer device id status",
    "AccountCardConnection": "edges nodes pageInfo totalCount totalCountExact",
    "AccountCardEdge": "cursor node",
    "Address": "building city community district fullText id isDefault label latitude longitude "
    "postalCode province room street",
    "Branch": "address city code id name nameEn phone province",
    "Contact": "id isPrimary name phone relation",
    "Customer": "addresses branch cards cardsConnection code contacts createdAt defaultAddress "
    "devices devicesConnection id kind name phone tickets ticketsConnection",
    "CustomerConnection": "edges nodes pageInfo totalCount totalCountExact",
    "CustomerEdge": "cursor node",
    "Device": "address bucketBalance card cards contractNumber customer filters "
    "firstRechargedAt id installedAt model openedOn price serialNumber status supplyExpiresOn "
    "supplyMode tickets ticketsConnection waterTests waterTestsConnection",
    "DeviceFilter": "due dueOn filterType lastChangedOn",
    "DeviceConnection": "edges nodes pageInfo totalCount totalCountExact",
    "DeviceEdge": "cursor node",
    "DeviceModel": "code filters id name supplyMode",
    "FilterType": "id lifetimeDays name stage",
    "Job": "acceptedAt appointmentEnd appointmentStart arrivedAt attachments completedAt "
    "confirmationNumber eta etaUpdatedAt history id number startedTravelAt status statusReason "
    "technicianName ticket",
    "Attachment": "contentType height id kind status takenAt thumbnailUrl url verifiedAt width",
    "JobStatusChange": "at from id reason to",
    "LoginPayload": "errors expiresAt refreshToken token user",
    "LogoutPayload": "errors ok",
    "ChangePasswordPayload": "errors user",
    "MasterdataError": "code field message",
    "UpdateMyContactPayload": "customer errors",
    "Money": "amount currency",
    "LiveEvent": "appointmentEnd appointmentStart at cursor eta id jobId kind latitude longitude "
    "number status ticketId",
    "MarkNotificationsReadPayload": "errors marked unreadCount",
    "Mutation": "changePassword login logout markNotificationsRead openTicket rateVisit "
    "refreshToken registerPushDevice requestVisitChange setNotificationPreferences "
    "unregisterPushDevice updateMyContact",
    "Notification": "body createdAt eventId id job kind read readAt ticket title",
    "NotificationConnection": "edges nodes pageInfo totalCount totalCountExact",
    "NotificationEdge": "cursor node",
    "PageInfo": "endCursor hasNextPage hasPreviousPage startCursor",
    "PushDevice": "appId createdAt id locale platform provider tokenKind",
    "Query": "branches customer customers device deviceModels me myNotificationPreferences "
    "myNotifications node ticket tickets trackVisit visitTracking",
    "RegisterPushDevicePayload": "device errors",
    "RefreshTokenPayload": "errors expiresAt refreshToken token",
    "Ticket": "address branch card channel closedAt createdAt customer description details "
    "device dueAt history id jobs linkedFrom linkedTicket number overdue priority status "
    "statusReason type typeDetails updatedAt",
    "TicketTypeDetails": "install recharge relocateTo resolution",
    "InstallRequest": "cardNumber contractNumber deviceModel price serialNumber",
    "RechargeRequest": "paymentMethod plan quantity unitPrice",
    "RequestedAddress": "building city community district isApproximate latitude longitude "
    "province room street",
    "TicketConnection": "edges nodes pageInfo totalCount totalCountExact",
    "TicketEdge": "cursor node",
    "OpenTicketPayload": "errors existingTicket ticket",
    "TicketStatusChange": "at from id reason to",
    "User": "branch displayName id locale phone role roles username",
    "AuthError": "code field message",
    "WorkflowError": "code field message",
    "NotificationError": "code field message",
    "UnregisterPushDevicePayload": "errors removed",
    "NotificationPreferences": "mutedNonEssential",
    "SetNotificationPreferencesPayload": "errors preferences",
    "WaterTest": "failures id passed ph residualChlorine tds temperature testedAt turbidity",
    "WaterTestConnection": "edges nodes pageInfo totalCount totalCountExact",
    "WaterTestEdge": "cursor node",
    # customer tracking (issue 17)
    "TrackedVisit": "canRate canRequestChange changeRequested destination engineer "
    "engineerPosition eta "
    "expiresAt hotline positionAt score stage steps ticketId ticketNumber ticketType "
    "windowEnd windowStart",
    "VisitStep": "at reached stage",
    "VisitEngineer": "name phone photoUrl",
    "MapPoint": "latitude longitude",
    "RateVisitPayload": "complaintOpened errors visit",
    "RequestVisitChangePayload": "errors visit",
    "TrackingError": "code field message",
}

# What each staff role may NOT resolve; every other field of the API is theirs.
STAFF_HIDDEN_SNAPSHOT: dict[Role, set[str]] = {
    Role.ADMIN: set(),
    Role.HQ: set(),
    Role.HOTLINE: set(),
    Role.CLERK: set(),
    Role.SALES: set(),
    Role.TECHNICIAN: set(),
    Role.AGENT: {"ExpectedPart.inVan", "PartShortage.inVan"},
}


def _object_fields() -> dict[str, list[str]]:
    schema = build_schema().graphql_schema
    return {
        name: list(t.fields)
        for name, t in schema.type_map.items()
        if isinstance(t, GraphQLObjectType) and not name.startswith("__")
    }


def test_the_fields_a_customer_resolves_are_exactly_the_snapshot() -> None:
    resolvable: dict[str, str] = {}
    for type_name, fields in sorted(_object_fields().items()):
        allowed = sorted(f for f in fields if may_resolve(Role.CUSTOMER, type_name, f))
        if allowed:
            resolvable[type_name] = " ".join(allowed)
    assert resolvable == CUSTOMER_SNAPSHOT


@pytest.mark.parametrize("role", sorted(STAFF_HIDDEN_SNAPSHOT))
def test_the_fields_staff_may_not_resolve_are_exactly_the_snapshot(role: Role) -> None:
    hidden = {
        f"{type_name}.{f}"
        for type_name, fields in _object_fields().items()
        for f in fields
        if not may_resolve(role, type_name, f)
    }
    assert hidden == STAFF_HIDDEN_SNAPSHOT[role]


def test_every_listed_field_exists() -> None:
    """A renamed field must not linger in the tables (it would hide nothing or allow nothing)."""
    fields = _object_fields()
    listed = [(t, f) for t, names in CUSTOMER_FIELDS.items() for f in names]
    listed += [(t, f) for by_type in HIDDEN_FIELDS.values() for t, n in by_type.items() for f in n]
    assert [(t, f) for t, f in listed if f not in fields.get(t, [])] == []
    assert set(STAFF_HIDDEN_SNAPSHOT) | {Role.CUSTOMER} == set(Role)


def test_a_customer_gets_null_and_forbidden_for_internal_fields(gql: GraphQL) -> None:
    query = "{ customers { edges { node { id name note tier salesperson { id } } } } }"
    body = gql.post(query, as_user="customer-1").json()
    # note and tier are non-null, and so is every level above them: the answer is nulled.
    assert body["data"] is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert {e["path"][-1] for e in body["errors"]} <= {"note", "tier", "salesperson"}
    nullable = gql.post(
        "{ customers { edges { node { id name salesperson { id } } } } }", as_user="customer-1"
    ).json()
    node = nullable["data"]["customers"]["edges"][0]["node"]
    assert node["name"]
    assert node["salesperson"] is None
    assert nullable["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert nullable["errors"][0]["path"][-1] == "salesperson"
    staff = gql.data("{ customers(first: 1) { edges { node { note tier } } } }", as_user="hq")
    assert staff["customers"]["edges"][0]["node"]["tier"]


@pytest.mark.parametrize("user", ["customer-1", "agent-1", "tech-sh-1", "hotline", "admin"])
def test_the_me_document_answers_every_role_whole(gql: GraphQL, user: str) -> None:
    """clients/everyone/Me.graphql asks for the user's branch: a customer got FORBIDDEN at
    me.branch, though Customer.branch shows them the same branch."""
    body = gql.post(doc("Me"), as_user=user).json()
    assert "errors" not in body, body["errors"]
    assert body["data"]["me"]["username"] == user


def test_a_customer_reads_what_they_asked_not_the_desks_routing(
    gql: GraphQL, database_url: str
) -> None:
    user = fetch(database_url, select(m.User).where(m.User.username == "customer-1"))[0][0]
    customer = global_id("Customer", user.customer_id)
    part = fetch(database_url, select(m.Part.id).order_by(m.Part.sku).limit(1))[0][0]
    inquiry = ok(
        payload(
            gql,
            "OpenTicket",
            {
                "input": {
                    "type": "INQUIRY",
                    "customerId": customer,
                    "description": "咨询滤芯",
                    "expectedParts": [{"partId": global_id("Part", part), "quantity": 1}],
                }
            },
            "hotline",
        )
    )["ticket"]
    ok(
        payload(
            gql,
            "RouteTicket",
            {"id": inquiry["id"], "department": "售后服务部", "note": "客户脾气差，注意"},
            "hotline",
        )
    )
    query = "query($id: ID!) { ticket(id: $id) { id details } }"
    desk = json.loads(
        gql.data(query, {"id": inquiry["id"]}, as_user="hotline")["ticket"]["details"]
    )
    assert desk["routing"][0]["note"] == "客户脾气差，注意"
    assert desk["routing"][0]["by"]
    assert desk["expected_parts"]
    typed = gql.data(
        "query($id: ID!) { ticket(id: $id) { typeDetails { routing { note byName }"
        " expectedParts { quantity part { id } } } } }",
        {"id": inquiry["id"]},
        as_user="hotline",
    )["ticket"]["typeDetails"]
    assert [step["note"] for step in typed["routing"]] == ["客户脾气差，注意"]
    assert typed["routing"][0]["byName"]
    assert typed["expectedParts"][0]["part"]["id"]
    mine = gql.data(query, {"id": inquiry["id"]}, as_user="customer-1")["ticket"]
    assert mine is not None
    assert json.loads(mine["details"]) == {}
    own = gql.data(
        "query($id: ID!) { ticket(id: $id) { typeDetails { install { price { amount } } "
        "resolution } } }",
        {"id": inquiry["id"]},
        as_user="customer-1",
    )["ticket"]["typeDetails"]
    assert own == {"install": None, "resolution": None}
    trail = gql.post(
        "query($id: ID!) { ticket(id: $id) { typeDetails { routing { note } } } }",
        {"id": inquiry["id"]},
        as_user="customer-1",
    ).json()
    assert [e["path"][-1] for e in trail["errors"]] == ["routing"]
    handler = gql.post(
        "query($id: ID!) { ticket(id: $id) { id handlerName department } }",
        {"id": inquiry["id"]},
        as_user="customer-1",
    ).json()
    assert handler["data"]["ticket"] is None
    assert {e["path"][-1] for e in handler["errors"]} <= {"handlerName", "department"}


def test_an_agent_does_not_see_the_engineers_van(gql: GraphQL, database_url: str) -> None:
    agent_id = fetch(database_url, select(m.User.agent_id).where(m.User.username == "agent-1"))
    device, customer, branch = fetch(
        database_url,
        select(m.Device.id, m.Device.customer_id, m.Branch.code)
        .join(m.Branch, m.Branch.id == m.Device.branch_id)
        .where(
            m.Device.agent_id == agent_id[0][0],
            m.Device.customer_id.is_not(None),
            m.Device.status == DeviceStatus.INSTALLED,
            m.Device.deleted_at.is_(None),
        )
        .order_by(m.Device.id)
        .limit(1),
    )[0]
    part = fetch(database_url, select(m.Part.id).order_by(m.Part.sku).limit(1))[0][0]
    ticket = ok(
        payload(
            gql,
            "OpenTicket",
            {
                "input": {
                    "type": "REPAIR",
                    "customerId": global_id("Customer", customer),
                    "deviceId": global_id("Device", device),
                    "expectedParts": [{"partId": global_id("Part", part), "quantity": 1}],
                }
            },
            "hotline",
        )
    )["ticket"]
    ok(payload(gql, "ApproveTicket", {"id": ticket["id"]}, "hotline"))
    branch_id = ids(database_url)[branch] if branch in ("SH", "BJ") else None
    assert branch_id is not None, branch
    ok(
        payload(
            gql,
            "DispatchTicket",
            {"id": ticket["id"], "branchId": branch_id},
            f"clerk-{branch.lower()}",
        )
    )
    query = "query($id: ID!) { ticket(id: $id) { jobs { expectedParts { quantity inVan } } } }"
    staff = gql.data(query, {"id": ticket["id"]}, as_user="hq")["ticket"]
    assert staff["jobs"][0]["expectedParts"][0]["quantity"] == 1
    body = gql.post(query, {"id": ticket["id"]}, as_user="agent-1").json()
    part_row = body["data"]["ticket"]["jobs"][0]["expectedParts"][0]
    assert part_row == {"quantity": 1, "inVan": None}
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["path"][-1] == "inVan"


def test_a_customer_sees_their_own_open_ticket_and_how_exact_a_count_is(
    gql: GraphQL, database_url: str
) -> None:
    """The docs said customers resolve all of OpenTicketPayload and of their lists; they got
    FORBIDDEN at existingTicket (their own device's ticket) and at totalCountExact."""
    customer_id = fetch(
        database_url, select(m.User.customer_id).where(m.User.username == "customer-1")
    )[0][0]
    device = fetch(
        database_url,
        select(m.Device.id).where(
            m.Device.customer_id == customer_id, m.Device.status == DeviceStatus.INSTALLED
        ),
    )[0][0]
    ticket = {
        "type": "WATER_TEST",
        "customerId": global_id("Customer", customer_id),
        "deviceId": global_id("Device", device),
    }
    first = gql.data(doc("OpenTicket"), {"input": {**ticket, "allowDuplicate": True}},
                     as_user="hotline")["openTicket"]  # fmt: skip
    assert first["errors"] == []
    query = (
        "mutation($i: TicketOpenInput!) { openTicket(input: $i) {"
        " existingTicket { number } errors { code } } }"
    )
    try:
        body = gql.post(query, {"i": ticket}, as_user="customer-1").json()
    finally:  # the shared demo keeps no open ticket of this test
        cancel = {"id": first["ticket"]["id"], "reason": "测试"}
        assert payload(gql, "CancelTicket", cancel, "hotline")["errors"] == []
    assert "errors" not in body, body["errors"]
    again = body["data"]["openTicket"]
    assert [e["code"] for e in again["errors"]] == ["DUPLICATE_OPEN_TICKET"]
    assert again["existingTicket"] == {"number": first["ticket"]["number"]}
    counted = gql.post("{ tickets(first: 1) { totalCount totalCountExact } }", as_user="customer-1")
    assert "errors" not in counted.json()
    assert counted.json()["data"]["tickets"]["totalCountExact"] is True
