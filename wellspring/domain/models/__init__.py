"""Every table of the domain. Import models from here."""

from .base import Base, Record, new_id, utcnow
from .customers import Address, Contact, Customer
from .devices import AccountCard, Device, DeviceModel, FilterChange, FilterType, WaterTest
from .dispatch import GeocodeCacheEntry, RoutePlan
from .hotline import Article, ArticleRevision, ArticleTerm, CallbackAttempt, MissedCall
from .imports import ImportRowError, ImportRun
from .inventory import (
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
    Ticket,
    TicketStatusChange,
)

__all__ = [
    "AccountCard",
    "Address",
    "Agent",
    "Article",
    "ArticleRevision",
    "ArticleTerm",
    "Attachment",
    "AuditEntry",
    "AuthSession",
    "Base",
    "Branch",
    "CallbackAttempt",
    "ChangeClock",
    "Contact",
    "CounterRow",
    "Customer",
    "Device",
    "DeviceModel",
    "FaultCode",
    "FilterChange",
    "FilterType",
    "FollowUp",
    "GeocodeCacheEntry",
    "ImportRowError",
    "ImportRun",
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
    "PushDevice",
    "Record",
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
    "Ticket",
    "TicketStatusChange",
    "User",
    "Warehouse",
    "WaterTest",
    "new_id",
    "utcnow",
]
