"""GraphQL enums, made once from the domain's vocabularies."""

from __future__ import annotations

import graphene

from wellspring.domain.models import enums as e
from wellspring.i18n import MESSAGES

Role = graphene.Enum.from_enum(e.Role)
BranchKind = graphene.Enum.from_enum(e.BranchKind)
AgentLevel = graphene.Enum.from_enum(e.AgentLevel)
CustomerKind = graphene.Enum.from_enum(e.CustomerKind)
CustomerTier = graphene.Enum.from_enum(e.CustomerTier)
OwnerKind = graphene.Enum.from_enum(e.OwnerKind)
SupplyMode = graphene.Enum.from_enum(e.SupplyMode)
DeviceStatus = graphene.Enum.from_enum(e.DeviceStatus)
CardStatus = graphene.Enum.from_enum(e.CardStatus)
TicketType = graphene.Enum.from_enum(e.TicketType)
TicketStatus = graphene.Enum.from_enum(e.TicketStatus)
Priority = graphene.Enum.from_enum(e.Priority)
Channel = graphene.Enum.from_enum(e.Channel)
JobStatus = graphene.Enum.from_enum(e.JobStatus)
FollowUpStatus = graphene.Enum.from_enum(e.FollowUpStatus)
Dissatisfaction = graphene.Enum.from_enum(e.Dissatisfaction)

WarehouseKind = graphene.Enum.from_enum(e.WarehouseKind)
StockBin = graphene.Enum.from_enum(e.StockBin)
LedgerKind = graphene.Enum.from_enum(e.LedgerKind)
MovementKind = graphene.Enum.from_enum(e.MovementKind)
MovementStatus = graphene.Enum.from_enum(e.MovementStatus)
DiscrepancyStatus = graphene.Enum.from_enum(e.DiscrepancyStatus)
DiscrepancyResolution = graphene.Enum.from_enum(e.DiscrepancyResolution)

# Every code a payload error or a GraphQL error extension may carry.
ErrorCode = graphene.Enum("ErrorCode", [(code, code) for code in sorted(MESSAGES)])
