"""Every table of the domain. Import models from here."""

from .agents import AgentOrder, AgentOrderLine, AgentPayment, PriceStandard, TerritoryConflict
from .base import Base, Record, new_id, utcnow
from .custom_fields import CustomField
from .customers import Address, Contact, Customer
from .devices import AccountCard, Device, DeviceModel, FilterChange, FilterType, WaterTest
from .dispatch import GeocodeCacheEntry, RoutePlan
from .hotline import Article, ArticleRevision, ArticleTerm, CallbackAttempt, MissedCall
from .imports import ImportRowError, ImportRun, ImportUpload
from .inventory import (
    BinLocation,
    Part,
    StockBalance,
    StockDiscrepancy,
    StockEntry,
    StockMovement,
    Warehouse,
)
from .media import Attachment
from .notifications import Notification, NotificationPreference, OutboxMessage, PushDevice
from .org import Agent, Branch, ServiceOutlet, Technician, User
from .outlets import OutletAssessment, OutletSettlement
from .sync import SyncClient, SyncHeld
from .system import (
    AuditEntry,
    AuthSession,
    ChangeClock,
    CounterRow,
    IdempotencyKey,
    LoginThrottle,
    SpentRefreshToken,
)
from .tickets import (
    FaultCode,
    FollowUp,
    Job,
    JobEvent,
    JobNote,
    JobStatusChange,
    RepairLevelEntry,
    Ticket,
    TicketCount,
    TicketStatusChange,
)
from .tracking import TrackingLink

__all__ = [
    "AccountCard",
    "Address",
    "Agent",
    "AgentOrder",
    "AgentOrderLine",
    "AgentPayment",
    "Article",
    "ArticleRevision",
    "ArticleTerm",
    "Attachment",
    "AuditEntry",
    "AuthSession",
    "Base",
    "BinLocation",
    "Branch",
    "CallbackAttempt",
    "ChangeClock",
    "Contact",
    "CounterRow",
    "CustomField",
    "Customer",
    "Device",
    "DeviceModel",
    "FaultCode",
    "FilterChange",
    "FilterType",
    "FollowUp",
    "GeocodeCacheEntry",
    "IdempotencyKey",
    "ImportRowError",
    "ImportRun",
    "ImportUpload",
    "Job",
    "JobEvent",
    "JobNote",
    "JobStatusChange",
    "LoginThrottle",
    "MissedCall",
    "Notification",
    "NotificationPreference",
    "OutboxMessage",
    "OutletAssessment",
    "OutletSettlement",
    "Part",
    "PriceStandard",
    "PushDevice",
    "Record",
    "RepairLevelEntry",
    "RoutePlan",
    "ServiceOutlet",
    "SpentRefreshToken",
    "StockBalance",
    "StockDiscrepancy",
    "StockEntry",
    "StockMovement",
    "SyncClient",
    "SyncHeld",
    "Technician",
    "TerritoryConflict",
    "Ticket",
    "TicketCount",
    "TicketStatusChange",
    "TrackingLink",
    "User",
    "Warehouse",
    "WaterTest",
    "new_id",
    "utcnow",
]
