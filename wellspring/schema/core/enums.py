"""GraphQL enums, made once from the domain's vocabularies."""

from __future__ import annotations

import enum
from collections.abc import Iterable

import graphene

from wellspring.domain.dispatch import board
from wellspring.domain.dispatch.locate import CoordinateSource as DomainCoordinateSource
from wellspring.domain.events import EventKind as DomainEventKind
from wellspring.domain.hotline import missed_calls
from wellspring.domain.inventory.queries import SuggestedAction as DomainSuggestedAction
from wellspring.domain.models import enums as e
from wellspring.domain.tracking import actions as tracking_actions
from wellspring.domain.tracking import view as tracking_view
from wellspring.domain.workflow import catalogue
from wellspring.domain.workflow.requests import PaymentMethod as DomainPaymentMethod
from wellspring.i18n import MESSAGES
from wellspring.schema.core.enum_docs import ENUM_DOCS


def described(py_enum: type[enum.Enum], name: str | None = None) -> type[graphene.Enum]:
    """A GraphQL enum from a domain vocabulary, its type and values documented from ENUM_DOCS."""
    gql_name = name or py_enum.__name__
    doc, values = ENUM_DOCS.get(gql_name, ("", {}))

    def describe(member: enum.Enum | None) -> str | None:
        return doc or None if member is None else values.get(member.name)

    made: type[graphene.Enum] = graphene.Enum.from_enum(
        py_enum, name=gql_name, description=describe
    )
    return made


def from_messages(
    name: str, codes: Iterable[str], doc: str, message_prefix: str = ""
) -> type[graphene.Enum]:
    """A GraphQL enum of codes, each value described by its English message in wellspring.i18n."""
    members = enum.Enum(name, [(code, code) for code in sorted(codes)])  # type: ignore[misc]

    def describe(member: enum.Enum | None) -> str:
        return doc if member is None else MESSAGES[message_prefix + member.name][1]

    made: type[graphene.Enum] = graphene.Enum.from_enum(members, name=name, description=describe)
    return made


Role = described(e.Role)
BranchKind = described(e.BranchKind)
AgentLevel = described(e.AgentLevel)
CustomerKind = described(e.CustomerKind)
CustomerTier = described(e.CustomerTier)
OwnerKind = described(e.OwnerKind)
SupplyMode = described(e.SupplyMode)
DeviceStatus = described(e.DeviceStatus)
CardStatus = described(e.CardStatus)
TicketType = described(e.TicketType)
TicketStatus = described(e.TicketStatus)
Priority = described(e.Priority)
Channel = described(e.Channel)
JobStatus = described(e.JobStatus)
FollowUpStatus = described(e.FollowUpStatus)
Dissatisfaction = described(e.Dissatisfaction)

WarehouseKind = described(e.WarehouseKind)
StockBin = described(e.StockBin)
LedgerKind = described(e.LedgerKind)
MovementKind = described(e.MovementKind)
MovementStatus = described(e.MovementStatus)
DiscrepancyStatus = described(e.DiscrepancyStatus)
DiscrepancyResolution = described(e.DiscrepancyResolution)
ImportKind = described(e.ImportKind)
ImportStatus = described(e.ImportStatus)

# Report, recharge and stock vocabularies (domain/workflow/catalogue.py and friends).
RepairLevel = described(catalogue.RepairLevel)
DeviceCondition = described(catalogue.DeviceCondition)
PaymentMethod = described(DomainPaymentMethod)
SuggestedAction = described(DomainSuggestedAction)
CoordinateSource = described(DomainCoordinateSource)

# Notifications (issue 16).
NotificationKind = described(DomainEventKind, "NotificationKind")
PushProvider = described(e.PushProvider)
PushTokenKind = described(e.PushTokenKind)
PushPlatform = described(e.PushPlatform)

# The dispatcher's list of engineers (issue 14).
TechnicianDayStatus = described(board.DayStatus, "TechnicianDayStatus")
JobOrder = described(board.JobOrder, "JobOrder")

# Customer tracking (issue 17).
VisitStage = described(tracking_view.Stage, "VisitStage")
FollowUpSource = described(e.FollowUpSource)
VisitChangeKind = described(tracking_actions.ChangeKind, "VisitChangeKind")
# Dealers and price standards (issue 18).
AgentOrderStatus = described(e.AgentOrderStatus)
AgentOrderItem = described(e.AgentOrderItem)
PriceKind = described(e.PriceKind)
ConflictKind = described(e.ConflictKind)
# issue 18: outlets and the hotline's tools
OutletLevel = described(e.OutletLevel)
SettlementStatus = described(e.SettlementStatus)
MissedCallStatus = described(e.MissedCallStatus)
CallbackOutcome = described(e.CallbackOutcome)
ArticleStatus = described(e.ArticleStatus)
CallbackOrder = described(missed_calls.CallbackOrder)
# issue 18: agents' payments
AgentPaymentMethod = described(e.AgentPaymentMethod)
# issue 18: outlets (settlements fall back to the price standards)
SettlementPriceSource = described(e.SettlementPriceSource)
