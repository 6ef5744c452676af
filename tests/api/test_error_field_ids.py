"""An id that names nothing the caller may see is refused on the input field that held it.

Walks every mutation whose input holds ids (found in the schema, so a new one must be added
here): each case sends one id that does not exist, with everything else as a real call would
have it, and the payload error's ``field`` must be that input's path as the client wrote it
(``customerId``, ``lines.0.partId``), never the ``id`` the use case calls every row it looks
up: a form highlights the field it is told.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, get_named_type
from sqlalchemy import select

from tests.api.workflow_steps import ids, ok, payload, to_assigned
from tests.conftest import GraphQL
from tests.factories import fetch, unique
from wellspring.domain import models as m
from wellspring.domain.models.enums import CardStatus
from wellspring.schema import build_schema
from wellspring.schema.core.ids import global_id


class Fake:
    """The id under test: well formed, of the right type, naming no row."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name


def _schema_id_paths() -> set[tuple[str, str]]:
    """(mutation, input path) of every id a mutation's input holds (deprecated names aside)."""
    schema = build_schema().graphql_schema
    assert schema.mutation_type is not None
    found: set[tuple[str, str]] = set()

    def walk(mutation: str, graphql_type: Any, prefix: str) -> None:
        named = get_named_type(graphql_type)
        if not isinstance(named, GraphQLInputObjectType):
            return
        for name, field in named.fields.items():
            if field.deprecation_reason:
                continue
            path = f"{prefix}{name}"
            inner = get_named_type(field.type)
            if inner.name == "ID":
                listed = str(field.type).strip("!").startswith("[")
                found.add((mutation, f"{path}.0" if listed else path))
            walk(mutation, field.type, f"{path}.0." if "[" in str(field.type) else f"{path}.")

    for name, field in schema.mutation_type.fields.items():
        if "input" in field.args:
            walk(name, field.args["input"].type, "")
    return found


# Ids that are no lookup: the client's own id for what it creates.
NOT_LOOKED_UP = {
    ("requestUpload", "attachmentId"),  # the phone's own id for the file it registers
    ("confirmUpload", "id"),  # a raw attachment id (docs/api.md "Ids"), not a global one
    ("markNotificationsRead", "ids.0"),  # items not the caller's are ignored, not refused
    ("completeJob", "report.filtersChanged.0"),  # the list is judged whole (filtersChanged)
}
# Looked up only once another object of the input is in a state this walk does not build
# (an old-part return shipped, a discrepancy open, an order confirmed); the same lookup and
# mapping as the walked ones.
NOT_WALKED = {
    ("checkOldParts", "counts.0.partId"),
    ("resolveStockDiscrepancy", "sourceWarehouseId"),
    ("shipAgentOrder", "fromWarehouseId"),
}


def _document(mutation: str) -> str:
    schema = build_schema().graphql_schema
    assert schema.mutation_type is not None
    input_type = get_named_type(schema.mutation_type.fields[mutation].args["input"].type)
    return (
        f"mutation M($input: {input_type.name}!) "
        f"{{ {mutation}(input: $input) {{ errors {{ field code }} }} }}"
    )


def _fill(value: Any, path: str = "") -> tuple[Any, str | None]:
    """The input with its Fake made a global id, and the Fake's path."""
    if isinstance(value, Fake):
        return global_id(value.type_name, str(uuid.uuid4())), path
    if isinstance(value, dict):
        out, where = {}, None
        for key, item in value.items():
            out[key], found = _fill(item, f"{path}.{key}" if path else key)
            where = where or found
        return out, where
    if isinstance(value, list):
        filled = [_fill(item, f"{path}.{i}" if path else str(i)) for i, item in enumerate(value)]
        return [f for f, _ in filled], next((w for _, w in filled if w), None)
    return value, None


@pytest.fixture(scope="module")
def real(gql: GraphQL, database_url: str) -> dict[str, str]:
    """Real ids for the inputs' other fields (each case fakes only one)."""
    o = ids(database_url)
    first = {
        model.__name__: global_id(
            model.__name__, fetch(database_url, select(model.id).limit(1))[0][0]
        )
        for model in (m.DeviceModel, m.Part, m.Agent)
    }
    sh_warehouse = fetch(database_url, select(m.Warehouse.id).where(m.Warehouse.code == "WH-SH"))
    hq_warehouse = fetch(database_url, select(m.Warehouse.id).where(m.Warehouse.code == "WH-HQ"))
    address = fetch(
        database_url,
        select(m.Device.address_id).where(m.Device.id == _raw(o["device"])),
    )[0][0]
    users = dict(fetch(database_url, select(m.User.username, m.User.id)))
    ticket, job = to_assigned(gql, o)
    _, on_site = to_assigned(gql, o)
    for move in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, move, {"id": on_site}, "tech-sh-1"))
    card = fetch(
        database_url,
        select(m.AccountCard.card_number)
        .where(m.AccountCard.status == CardStatus.IN_STOCK, m.AccountCard.agent_id.is_(None))
        .order_by(m.AccountCard.card_number)
        .limit(1),
    )[0][0]
    complaint = {"type": "COMPLAINT", "customerId": o["customer"], "description": "态度"}
    approved = ok(payload(gql, "OpenTicket", {"input": complaint}, "hotline"))["ticket"]["id"]
    ok(payload(gql, "ApproveTicket", {"id": approved}, "hotline"))
    missed = {
        "callId": unique("call"),
        "callerNumber": "13800138000",
        "calledAt": dt.datetime.now(dt.UTC).isoformat(),
    }
    call = ok(payload(gql, "RecordMissedCall", {"input": missed}, "hotline"))["missedCall"]["id"]
    return {
        **o,
        **first,
        "WH-SH": global_id("Warehouse", sh_warehouse[0][0]),
        "WH-HQ": global_id("Warehouse", hq_warehouse[0][0]),
        "address": global_id("Address", address),
        "clerk": global_id("User", users["clerk-sh"]),
        "ticket": ticket,
        "job": job,
        "approved": approved,
        "call": call,
        "on-site": on_site,
        "card": card,
    }


def _raw(gid: str) -> str:
    from graphql_relay import from_global_id

    return str(from_global_id(gid)[1])


def _cases(r: dict[str, str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(mutation, user, input with one Fake)."""
    today = dt.date.today().isoformat()
    line = {"quantity": 1}
    repair = {
        "type": "REPAIR",
        "customerId": r["customer"],
        "description": "漏水",
        "allowDuplicate": True,
    }
    return [
        ("revokeSession", "admin", {"id": Fake("AuthSession")}),
        ("unlockUser", "admin", {"id": Fake("User")}),
        ("openTicket", "hotline", {**repair, "customerId": Fake("Customer")}),
        ("openTicket", "hotline", {**repair, "deviceId": Fake("Device")}),
        (
            "openTicket",
            "hotline",
            {**repair, "deviceId": r["device"], "addressId": Fake("Address")},
        ),
        ("openTicket", "hotline", {**repair, "deviceId": r["device"], "branchId": Fake("Branch")}),
        ("openTicket", "hotline", {**repair, "agentId": Fake("Agent")}),
        (
            "openTicket",
            "hotline",
            {
                **repair,
                "deviceId": r["device"],
                "expectedParts": [{**line, "partId": Fake("Part")}],
            },
        ),
        ("openTicket", "hotline", {**repair, "type": "CARD_CANCEL", "cardId": Fake("AccountCard")}),
        (
            "openTicket",
            "hotline",
            {
                **repair,
                "type": "INSTALL",
                "addressId": r["address"],
                "install": {
                    "cardNumber": r["card"],
                    "serialNumber": unique("SN"),
                    "deviceModelId": Fake("DeviceModel"),
                },
            },
        ),
        ("updateCustomer", "hq", {"id": Fake("Customer")}),
        ("updateCustomer", "hq", {"id": r["customer"], "salespersonId": Fake("User")}),
        ("updateCustomer", "hq", {"id": r["customer"], "serviceTechnicianId": Fake("Technician")}),
        ("reassignCustomer", "hq", {"customerId": Fake("Customer"), "branchId": r["SH"]}),
        ("reassignCustomer", "hq", {"customerId": r["customer"], "branchId": Fake("Branch")}),
        ("reassignCustomer", "hq", {"customerId": r["customer"], "agentId": Fake("Agent")}),
        ("approveTicket", "hq", {"id": Fake("Ticket")}),
        ("rejectTicket", "hq", {"id": Fake("Ticket"), "reason": "重复"}),
        ("dispatchTicket", "hq", {"id": Fake("Ticket"), "branchId": r["SH"]}),
        ("dispatchTicket", "hq", {"id": r["approved"], "branchId": Fake("Branch")}),
        ("assignJob", "hq", {"id": Fake("Job"), "technicianId": r["tech-sh-1"]}),
        ("assignJob", "hq", {"id": r["job"], "technicianId": Fake("Technician")}),
        ("cancelTicket", "hq", {"id": Fake("Ticket"), "reason": "不要了"}),
        ("recordFollowUp", "hq", {"id": Fake("Ticket"), "score": 5}),
        ("routeTicket", "hq", {"id": Fake("Ticket"), "department": "售后"}),
        ("resolveTicket", "hq", {"id": Fake("Ticket"), "resolution": "已解决"}),
        ("optimizeRoutes", "hq", {"branchId": Fake("Branch"), "date": today}),
        ("applyRoutePlan", "hq", {"id": Fake("RoutePlan")}),
        ("geocodeAddress", "hq", {"id": Fake("Address")}),
        ("acceptJob", "tech-sh-1", {"id": Fake("Job")}),
        ("startTravel", "tech-sh-1", {"id": Fake("Job")}),
        ("arriveOnSite", "tech-sh-1", {"id": Fake("Job")}),
        ("completeJob", "tech-sh-1", {"id": Fake("Job"), "report": {}}),
        ("failJob", "tech-sh-1", {"id": Fake("Job"), "reason": "不在家"}),
        (
            "consumeParts",
            "tech-sh-1",
            {"id": Fake("Job"), "clientId": unique("c"), "lines": [{**line, "partId": r["Part"]}]},
        ),
        (
            "consumeParts",
            "tech-sh-1",
            {
                "id": r["on-site"],
                "clientId": unique("c"),
                "lines": [{**line, "partId": Fake("Part")}],
            },
        ),
        (
            "moveStock",
            "hq",
            {
                "kind": "TRANSFER",
                "fromWarehouseId": Fake("Warehouse"),
                "toWarehouseId": r["WH-SH"],
                "lines": [{**line, "partId": r["Part"]}],
            },
        ),
        (
            "moveStock",
            "hq",
            {
                "kind": "TRANSFER",
                "fromWarehouseId": r["WH-HQ"],
                "toWarehouseId": Fake("Warehouse"),
                "lines": [{**line, "partId": r["Part"]}],
            },
        ),
        (
            "moveStock",
            "hq",
            {
                "kind": "RECEIPT",
                "toWarehouseId": r["WH-SH"],
                "lines": [{**line, "partId": Fake("Part")}],
            },
        ),
        ("receiveTransfer", "hq", {"id": Fake("StockMovement")}),
        ("decideBreakage", "hq", {"id": Fake("StockMovement"), "approve": True}),
        (
            "setSafetyStock",
            "hq",
            {"warehouseId": Fake("Warehouse"), "partId": r["Part"], "safetyStock": 1},
        ),
        (
            "setSafetyStock",
            "hq",
            {"warehouseId": r["WH-SH"], "partId": Fake("Part"), "safetyStock": 1},
        ),
        (
            "receiveMachine",
            "hq",
            {
                "warehouseId": Fake("Warehouse"),
                "deviceModelId": r["DeviceModel"],
                "serialNumber": unique("SN"),
            },
        ),
        (
            "receiveMachine",
            "hq",
            {
                "warehouseId": r["WH-SH"],
                "deviceModelId": Fake("DeviceModel"),
                "serialNumber": unique("SN"),
            },
        ),
        (
            "checkOldParts",
            "hq",
            {
                "id": Fake("StockMovement"),
                "counts": [{"partId": r["Part"], "valid": 1, "rejected": 0}],
            },
        ),
        ("confirmReplacement", "hq", {"id": Fake("StockMovement")}),
        (
            "resolveStockDiscrepancy",
            "hq",
            {"id": Fake("StockDiscrepancy"), "resolution": "WRITE_OFF", "reason": "丢失"},
        ),
        (
            "requestUpload",
            "tech-sh-1",
            {
                "jobId": Fake("Job"),
                "kind": "PHOTO",
                "contentType": "image/jpeg",
                "byteSize": 1000,
                "sha256": "0" * 64,
            },
        ),
        ("upsertBranch", "hq", {"id": Fake("Branch")}),
        (
            "upsertBranch",
            "hq",
            {"code": unique("B"), "name": "新分公司", "parentId": Fake("Branch")},
        ),
        ("upsertWarehouse", "hq", {"id": Fake("Warehouse")}),
        (
            "upsertWarehouse",
            "hq",
            {
                "code": unique("W"),
                "name": "新仓库",
                "kind": "REPAIR_STATION",
                "branchId": Fake("Branch"),
            },
        ),
        (
            "upsertWarehouse",
            "hq",
            {"code": unique("W"), "name": "代理商仓库", "kind": "AGENT", "agentId": Fake("Agent")},
        ),
        ("upsertPart", "hq", {"id": Fake("Part")}),
        (
            "upsertPart",
            "hq",
            {
                "sku": unique("P"),
                "name": "滤芯",
                "cost": "1",
                "listPrice": "2",
                "compatibleModelIds": [Fake("DeviceModel")],
            },
        ),
        ("upsertDeviceModel", "hq", {"id": Fake("DeviceModel")}),
        ("upsertTechnician", "hq", {"id": Fake("Technician")}),
        (
            "upsertTechnician",
            "hq",
            {"username": unique("tech"), "displayName": "新工程师", "branchId": Fake("Branch")},
        ),
        (
            "upsertTechnician",
            "hq",
            {
                "username": unique("tech"),
                "displayName": "代理商工程师",
                "password": "pass-word-1",
                "branchId": r["SH"],
                "agentId": Fake("Agent"),
            },
        ),
        (
            "receiveCards",
            "hq",
            {"warehouseId": Fake("Warehouse"), "fromNumber": "90000001", "toNumber": "90000002"},
        ),
        (
            "createUser",
            "admin",
            {
                "username": unique("u"),
                "password": "pass-word-1",
                "role": "CLERK",
                "branchId": Fake("Branch"),
            },
        ),
        (
            "createUser",
            "admin",
            {
                "username": unique("u"),
                "password": "pass-word-1",
                "role": "AGENT",
                "agentId": Fake("Agent"),
            },
        ),
        (
            "createUser",
            "admin",
            {
                "username": unique("u"),
                "password": "pass-word-1",
                "role": "CUSTOMER",
                "customerId": Fake("Customer"),
            },
        ),
        ("updateUser", "admin", {"id": Fake("User")}),
        ("updateUser", "admin", {"id": r["clerk"], "branchId": Fake("Branch")}),
        ("deactivateUser", "admin", {"id": Fake("User")}),
        ("resetPassword", "admin", {"id": Fake("User"), "password": "pass-word-2"}),
        ("startImport", "admin", {"kind": "CUSTOMERS", "uploadId": Fake("ImportUpload")}),
        ("upsertBinLocation", "hq", {"warehouseId": Fake("Warehouse"), "code": "A-01-1"}),
        ("setCustomFieldValues", "hq", {"id": Fake("Customer"), "customFields": []}),
        ("shareTrackingLink", "hq", {"ticketId": Fake("Ticket")}),
        ("revokeTrackingLinks", "hq", {"ticketId": Fake("Ticket")}),
        ("rateVisit", "customer-1", {"ticketId": Fake("Ticket"), "score": 5}),
        ("requestVisitChange", "customer-1", {"ticketId": Fake("Ticket"), "kind": "CANCEL"}),
        ("upsertAgent", "hq", {"id": Fake("Agent")}),
        (
            "upsertAgent",
            "hq",
            {
                "code": unique("A"),
                "name": "二级代理",
                "branchId": r["SH"],
                "parentAgentId": Fake("Agent"),
            },
        ),
        (
            "upsertAgent",
            "hq",
            {"code": unique("A"), "name": "代理", "branchId": Fake("Branch")},
        ),
        (
            "placeAgentOrder",
            "hq",
            {
                "agentId": Fake("Agent"),
                "lines": [{"item": "PART", "quantity": 1, "partId": r["Part"]}],
            },
        ),
        (
            "placeAgentOrder",
            "hq",
            {
                "agentId": r["Agent"],
                "lines": [{"item": "PART", "quantity": 1, "partId": Fake("Part")}],
            },
        ),
        (
            "placeAgentOrder",
            "hq",
            {
                "agentId": r["Agent"],
                "lines": [{"item": "MACHINE", "quantity": 1, "deviceModelId": Fake("DeviceModel")}],
            },
        ),
        ("confirmAgentOrder", "hq", {"id": Fake("AgentOrder")}),
        ("shipAgentOrder", "hq", {"id": Fake("AgentOrder"), "fromWarehouseId": r["WH-HQ"]}),
        ("cancelAgentOrder", "hq", {"id": Fake("AgentOrder"), "reason": "取消"}),
        ("upsertPriceStandard", "hq", {"id": Fake("PriceStandard")}),
        (
            "upsertPriceStandard",
            "hq",
            {"kind": "DEALER_PART", "price": "10", "itemId": Fake("Part"), "effectiveFrom": today},
        ),
        ("upsertServiceOutlet", "hq", {"id": Fake("ServiceOutlet")}),
        (
            "upsertServiceOutlet",
            "hq",
            {"code": unique("O"), "name": "网点", "branchId": Fake("Branch")},
        ),
        (
            "upsertServiceOutlet",
            "hq",
            {
                "code": unique("O"),
                "name": "网点",
                "branchId": r["SH"],
                "technicianIds": [Fake("Technician")],
            },
        ),
        (
            "recordOutletAssessment",
            "hq",
            {
                "outletId": Fake("ServiceOutlet"),
                "periodStart": today,
                "periodEnd": today,
                "scores": [{"criterion": "及时", "score": 90}],
            },
        ),
        ("generateOutletSettlement", "hq", {"outletId": Fake("ServiceOutlet"), "month": today[:7]}),
        (
            "adjustOutletSettlement",
            "hq",
            {"id": Fake("OutletSettlement"), "amount": "1", "reason": "补"},
        ),
        ("confirmOutletSettlement", "hq", {"id": Fake("OutletSettlement")}),
        ("markOutletSettlementPaid", "hq", {"id": Fake("OutletSettlement")}),
        ("recordCallback", "hotline", {"missedCallId": Fake("MissedCall"), "outcome": "REACHED"}),
        ("upsertArticle", "hq", {"id": Fake("Article")}),
        (
            "upsertArticle",
            "hq",
            {"titleZh": "滤芯", "bodyZh": "更换", "modelIds": [Fake("DeviceModel")]},
        ),
        (
            "recordAgentPayment",
            "hq",
            {
                "agentId": Fake("Agent"),
                "amount": "1",
                "paidAt": dt.datetime.now(dt.UTC).isoformat(),
                "method": "CASH",
                "clientReference": unique("pay"),
            },
        ),
        (
            "recordAgentPayment",
            "hq",
            {
                "agentId": r["Agent"],
                "orderId": Fake("AgentOrder"),
                "amount": "1",
                "paidAt": dt.datetime.now(dt.UTC).isoformat(),
                "method": "CASH",
                "clientReference": unique("pay"),
            },
        ),
        ("assignCallback", "hq", {"missedCallId": Fake("MissedCall"), "userId": r["clerk"]}),
        ("assignCallback", "hq", {"missedCallId": r["call"], "userId": Fake("User")}),
    ]


def test_every_id_a_mutation_takes_is_walked(real: dict[str, str]) -> None:
    walked = {(mutation, _fill(values)[1]) for mutation, _user, values in _cases(real)}
    assert _schema_id_paths() - NOT_LOOKED_UP - NOT_WALKED - walked == set()


def test_an_unknown_id_is_refused_on_the_field_that_held_it(
    gql: GraphQL, real: dict[str, str]
) -> None:
    wrong = []
    for mutation, user, values in _cases(real):
        filled, path = _fill(values)
        body = gql.post(_document(mutation), {"input": filled}, as_user=user).json()
        if "errors" in body:  # the case itself is malformed
            wrong.append((mutation, path, body["errors"][0]["message"]))
            continue
        errors = body["data"][mutation]["errors"]
        fields = [e["field"] for e in errors]
        if fields != [path]:
            wrong.append((mutation, path, errors))
    assert wrong == [], "\n".join(map(repr, wrong))
