"""Every document a client team depends on validates against the schema (api-contract.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse, validate

from wellspring.schema import build_schema

CLIENTS = Path(__file__).resolve().parents[1] / "clients"
DOCUMENTS = sorted(CLIENTS.glob("*/*.graphql"))

# An engineer's move may say when the phone recorded it: an optional variable beside the fixed
# ones (issue 12), so a client sending only the contract's variables works unchanged.
RECORDED = {"recordedAt": "DateTime"}
# The operations and variables api-contract.md fixes, for the operations built so far.
CONTRACT: dict[str, dict[str, str]] = {
    "Login": {"username": "String!", "password": "String!"},
    "RefreshToken": {"refreshToken": "String!"},
    "Logout": {},
    "Me": {},
    "Customers": {"search": "String", "first": "Int", "after": "String"},
    "Customer": {"id": "ID!"},
    "Device": {"id": "ID!"},
    "Tickets": {"filter": "TicketFilter", "first": "Int", "after": "String"},
    "Ticket": {"id": "ID!"},
    "OpenTicket": {"input": "TicketOpenInput!"},
    "ApproveTicket": {"id": "ID!"},
    "RejectTicket": {"id": "ID!", "reason": "String!"},
    "DispatchTicket": {"id": "ID!", "branchId": "ID!"},
    "AssignJob": {
        "jobId": "ID!",
        "technicianId": "ID!",
        "appointmentStart": "DateTime",
        "appointmentEnd": "DateTime",
        # optional beside the fixed ones: book outside the shift on purpose (issue 14 §4)
        "allowOutsideShift": "Boolean",
    },
    "CancelTicket": {"id": "ID!", "reason": "String!"},
    "FollowUpsDue": {"first": "Int", "after": "String"},
    "RecordFollowUp": {"input": "FollowUpInput!"},
    "MyJobs": {"date": "Date"},
    "AcceptJob": {"id": "ID!", **RECORDED},
    "StartTravel": {"id": "ID!", **RECORDED},
    "ArriveOnSite": {"id": "ID!", **RECORDED},
    "CompleteJob": {"input": "JobCompleteInput!"},
    "FailJob": {"id": "ID!", "reason": "String!", **RECORDED},
    "Stock": {"warehouseId": "ID!", "first": "Int", "after": "String"},
    "MoveStock": {"input": "StockMoveInput!"},
    "ConsumeParts": {"input": "PartsConsumeInput!"},
    "MyVanStock": {},
    "RouteTicket": {"id": "ID!", "department": "String!", "note": "String"},
    "ResolveTicket": {"id": "ID!", "resolution": "String!"},
    "StockDiscrepancies": {
        "branchId": "ID",
        "status": "DiscrepancyStatus",
        "first": "Int",
        "after": "String",
    },
    "ResolveStockDiscrepancy": {"input": "StockDiscrepancyResolveInput!"},
    "RequestUpload": {"input": "RequestUploadInput!"},
    "ConfirmUpload": {"input": "ConfirmUploadInput!"},
    "UnlockUser": {"input": "UnlockUserInput!"},
    # notifications (issue 16)
    "MyNotifications": {"first": "Int", "after": "String"},
    "MarkNotificationsRead": {"input": "MarkNotificationsReadInput!"},
    "RegisterPushDevice": {"input": "RegisterPushDeviceInput!"},
    "UnregisterPushDevice": {"input": "UnregisterPushDeviceInput!"},
    # live updates (issue 16 §3): an optional cursor beside the fixed variables, to resume
    "BoardEvents": {"branchId": "ID!", "after": "String"},
    "MyJobEvents": {"after": "String"},
    "VisitEvents": {"ticketId": "ID!", "after": "String"},
    # master data (issue 14)
    "UpsertBranch": {"input": "BranchInput!"},
    "UpsertWarehouse": {"input": "WarehouseInput!"},
    "UpsertPart": {"input": "PartInput!"},
    "UpsertDeviceModel": {"input": "DeviceModelInput!"},
    "UpsertTechnician": {"input": "TechnicianInput!"},
    "ReceiveCards": {"input": "ReceiveCardsInput!"},
    "CreateUser": {"input": "CreateUserInput!"},
    "UpdateUser": {"input": "UpdateUserInput!"},
    "DeactivateUser": {"input": "DeactivateUserInput!"},
    "ResetPassword": {"input": "ResetPasswordInput!"},
    "Technicians": {"branchId": "ID", "search": "String", "first": "Int", "after": "String"},
    "Jobs": {"filter": "JobFilter", "first": "Int", "after": "String"},
    "AccountCards": {"filter": "AccountCardFilter", "first": "Int", "after": "String"},
    "MachinesInStock": {"warehouseId": "ID!", "modelId": "ID", "first": "Int", "after": "String"},
    "StartImport": {"input": "StartImportInput!"},
    "Import": {"id": "ID!"},
    # customer tracking (issue 17)
    "ShareTrackingLink": {"input": "ShareTrackingLinkInput!"},
    "TrackVisit": {"token": "String!"},
    "RateVisit": {"input": "RateVisitInput!"},
    # dealers (issue 18)
    "Agents": {"search": "String", "first": "Int", "after": "String"},
    "UpsertAgent": {"input": "UpsertAgentInput!"},
    "PlaceAgentOrder": {"input": "PlaceAgentOrderInput!"},
    # outlets and the hotline's tools (issue 18); CallbacksDue's order is optional beside them
    "ServiceOutlets": {"search": "String", "first": "Int", "after": "String"},
    "UpsertServiceOutlet": {"input": "UpsertServiceOutletInput!"},
    "RecordOutletAssessment": {"input": "RecordOutletAssessmentInput!"},
    "OutletSettlements": {"outletId": "ID", "month": "String", "first": "Int", "after": "String"},
    "RecordMissedCall": {"input": "RecordMissedCallInput!"},
    "CallbacksDue": {"first": "Int", "after": "String", "order": "CallbackOrder"},
    "RecordCallback": {"input": "RecordCallbackInput!"},
    "Articles": {
        "search": "String",
        "modelId": "ID",
        "faultCode": "String",
        "first": "Int",
        "after": "String",
    },
    "UpsertArticle": {"input": "UpsertArticleInput!"},
    # reports (issue 18)
    "ServiceKpis": {"branchId": "ID", "from": "Date!", "to": "Date!"},
}


def _operation(path: Path) -> OperationDefinitionNode:
    document = parse(path.read_text(encoding="utf-8"))
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1, f"{path.name}: one operation per file"
    return operations[0]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_document_validates_and_is_named_after_its_file(path: Path) -> None:
    errors = validate(build_schema().graphql_schema, parse(path.read_text(encoding="utf-8")))
    assert errors == []
    operation = _operation(path)
    assert operation.name is not None
    assert operation.name.value == path.stem


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_document_uses_nothing_deprecated(path: Path) -> None:
    """A document shipped to client teams must outlive the next release: ApplyRoutePlan,
    GeocodeAddress and MyAccount used fields it removes."""
    from graphql.validation import NoDeprecatedCustomRule

    document = parse(path.read_text(encoding="utf-8"))
    errors = validate(build_schema().graphql_schema, document, [NoDeprecatedCustomRule])
    assert [e.message for e in errors] == []


def test_every_contract_operation_has_its_document_with_the_fixed_variables() -> None:
    by_name = {p.stem: p for p in DOCUMENTS}
    for name, variables in CONTRACT.items():
        assert name in by_name, f"clients/*/{name}.graphql is missing"
        operation = _operation(by_name[name])
        declared = {
            v.variable.name.value: _type_text(v.type) for v in operation.variable_definitions
        }
        assert declared == variables, name


def _type_text(node: object) -> str:
    from graphql import print_ast

    return print_ast(node)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_documents_fit_the_depth_and_cost_limits_at_the_largest_page(path: Path) -> None:
    from graphql import ValidationContext
    from graphql.utilities import TypeInfo

    from wellspring.api import limits
    from wellspring.settings import Settings

    settings = Settings()
    schema = build_schema().graphql_schema
    document = parse(path.read_text(encoding="utf-8"))
    rules = [
        limits.depth_rule(settings.max_query_depth, "en"),
        limits.cost_rule(schema, settings.max_query_cost, "en", {"first": 100}),
    ]
    assert validate(schema, document, rules) == []
    context = ValidationContext(schema, document, TypeInfo(schema), lambda _e: None)
    cost = limits.query_cost(schema, context, _operation(path), {"first": 100})
    assert cost <= settings.max_query_cost
