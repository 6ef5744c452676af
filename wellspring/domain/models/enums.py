"""The closed vocabularies of the business (domain.md's glossary)."""

from __future__ import annotations

import enum

from sqlalchemy import Enum

# The dealers', outlets' and hotline's vocabularies (partner_enums.__all__), named here too.
from .partner_enums import *  # noqa: F403


class Role(enum.StrEnum):
    ADMIN = "ADMIN"
    HQ = "HQ"
    HOTLINE = "HOTLINE"
    CLERK = "CLERK"  # branch clerk (内勤)
    SALES = "SALES"
    TECHNICIAN = "TECHNICIAN"
    AGENT = "AGENT"  # a dealer's login (代理商)
    CUSTOMER = "CUSTOMER"


class BranchKind(enum.StrEnum):
    HQ = "HQ"
    BRANCH = "BRANCH"  # 分公司, a directly operated city
    OFFICE = "OFFICE"  # 办事处, a regional office


class AgentLevel(enum.StrEnum):
    CITY_GENERAL = "CITY_GENERAL"  # 市级总代理
    SUB_DISTRIBUTOR = "SUB_DISTRIBUTOR"  # 分销商


class OutletLevel(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"


class CustomerKind(enum.StrEnum):
    PERSON = "PERSON"
    ORGANIZATION = "ORGANIZATION"


class CustomerTier(enum.StrEnum):
    VIP = "VIP"
    GOLD = "GOLD"  # 黄金
    SILVER = "SILVER"  # 白银
    IRON = "IRON"  # 黑铁


class OwnerKind(enum.StrEnum):
    BRANCH = "BRANCH"  # a direct customer of a branch (possibly through a salesperson)
    AGENT = "AGENT"


class SupplyMode(enum.StrEnum):
    MONTHLY = "MONTHLY"  # supply expiry date (供水期限)
    BUCKETS = "BUCKETS"  # a balance of buckets (桶)


class DeviceStatus(enum.StrEnum):
    IN_STOCK = "IN_STOCK"
    INSTALLED = "INSTALLED"
    UNINSTALLED = "UNINSTALLED"
    WRITTEN_OFF = "WRITTEN_OFF"


class CardStatus(enum.StrEnum):
    IN_STOCK = "IN_STOCK"
    ACTIVE = "ACTIVE"
    AWAITING_ACTIVATION = "AWAITING_ACTIVATION"  # after a cancellation (退卡)


class TicketType(enum.StrEnum):
    INSTALL = "INSTALL"
    UNINSTALL = "UNINSTALL"
    RELOCATE = "RELOCATE"
    CARD_CANCEL = "CARD_CANCEL"
    RECHARGE = "RECHARGE"
    REPAIR = "REPAIR"
    FILTER_CHANGE = "FILTER_CHANGE"
    WATER_TEST = "WATER_TEST"
    COMPLAINT = "COMPLAINT"
    INQUIRY = "INQUIRY"
    PRAISE = "PRAISE"  # 表扬


class TicketStatus(enum.StrEnum):
    CREATED = "CREATED"
    APPROVED = "APPROVED"
    DISPATCHED = "DISPATCHED"
    ASSIGNED = "ASSIGNED"
    APPOINTED = "APPOINTED"
    EN_ROUTE = "EN_ROUTE"
    ON_SITE = "ON_SITE"
    COMPLETED = "COMPLETED"
    FOLLOW_UP_DUE = "FOLLOW_UP_DUE"
    CLOSED = "CLOSED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


TICKET_OPEN_STATUSES = frozenset(TicketStatus) - {
    TicketStatus.CLOSED,
    TicketStatus.REJECTED,
    TicketStatus.CANCELLED,
}


class Priority(enum.StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


class Channel(enum.StrEnum):
    HOTLINE = "HOTLINE"
    APP = "APP"
    WECHAT = "WECHAT"
    WALK_IN = "WALK_IN"
    AGENT = "AGENT"
    SYSTEM = "SYSTEM"


class JobStatus(enum.StrEnum):
    PENDING = "PENDING"  # created by dispatch, no engineer yet
    ASSIGNED = "ASSIGNED"
    ACCEPTED = "ACCEPTED"
    EN_ROUTE = "EN_ROUTE"
    ON_SITE = "ON_SITE"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


JOB_OPEN_STATUSES = frozenset(
    {
        JobStatus.PENDING,
        JobStatus.ASSIGNED,
        JobStatus.ACCEPTED,
        JobStatus.EN_ROUTE,
        JobStatus.ON_SITE,
    }
)
# The open statuses as written in SQL, in a fixed order: a partial index of open jobs and the
# queries meant to use it must state the very same condition (SQLite matches it as written).
OPEN_JOB_VALUES = tuple(sorted(status.value for status in JOB_OPEN_STATUSES))
OPEN_JOBS_SQL = "status IN (" + ", ".join(f"'{value}'" for value in OPEN_JOB_VALUES) + ")"


class FollowUpStatus(enum.StrEnum):
    DUE = "DUE"
    DONE = "DONE"


class FollowUpSource(enum.StrEnum):
    HOTLINE = "HOTLINE"  # the hotline's call back
    CUSTOMER = "CUSTOMER"  # the customer rated the visit (tracking link or own login)


class Dissatisfaction(enum.StrEnum):
    MISSED_CALL = "MISSED_CALL"
    SLOW_REPAIR = "SLOW_REPAIR"
    INCOMPLETE_REPAIR = "INCOMPLETE_REPAIR"
    ATTITUDE = "ATTITUDE"
    PRODUCT_FAULT = "PRODUCT_FAULT"
    PRICE = "PRICE"
    OTHER = "OTHER"


def enum_column(enum_cls: type[enum.StrEnum]) -> Enum:
    """A portable enum column: a VARCHAR holding the member's value on every engine."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class WarehouseKind(enum.StrEnum):
    HQ = "HQ"  # with bin locations (货位)
    REPAIR_CENTER = "REPAIR_CENTER"
    REPAIR_STATION = "REPAIR_STATION"
    VAN = "VAN"  # one per engineer
    AGENT = "AGENT"  # a dealer's own stock


class StockBin(enum.StrEnum):
    GOOD = "GOOD"
    DEFECTIVE = "DEFECTIVE"


class LedgerKind(enum.StrEnum):
    RECEIPT = "RECEIPT"
    TRANSFER_OUT = "TRANSFER_OUT"
    TRANSFER_IN = "TRANSFER_IN"
    CONSUMPTION = "CONSUMPTION"
    OLD_PART = "OLD_PART"  # a swapped part into the van's defective bin
    BREAKAGE = "BREAKAGE"
    MATERIAL_RETURN = "MATERIAL_RETURN"
    STOCKTAKE = "STOCKTAKE"
    REVERSAL = "REVERSAL"
    # An offline consumption the van's book could not cover: the missing quantity is booked in
    # provisionally (SHORTFALL, +) so the consumption posts in full; resolving its discrepancy
    # posts what explains it and cancels the provisional entry (SHORTFALL_SETTLED, -).
    SHORTFALL = "SHORTFALL"
    SHORTFALL_SETTLED = "SHORTFALL_SETTLED"
    WRITE_OFF = "WRITE_OFF"  # a shortfall nobody can explain, accepted with a reason


class DiscrepancyStatus(enum.StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


class DiscrepancyResolution(enum.StrEnum):
    UNBOOKED_TRANSFER = "UNBOOKED_TRANSFER"  # parts moved into the van without a document
    STOCKTAKE_CORRECTION = "STOCKTAKE_CORRECTION"  # the van held more than its book said
    WRITE_OFF = "WRITE_OFF"  # unexplained; accepted with a reason


class MovementKind(enum.StrEnum):
    RECEIPT = "RECEIPT"
    TRANSFER = "TRANSFER"
    BREAKAGE = "BREAKAGE"
    STOCKTAKE = "STOCKTAKE"
    MATERIAL_RETURN = "MATERIAL_RETURN"  # 退料: an engineer's van back to a station
    OLD_PART_RETURN = "OLD_PART_RETURN"  # 旧件返厂: a station's old parts to the repair center


class MovementStatus(enum.StrEnum):
    DONE = "DONE"
    IN_TRANSIT = "IN_TRANSIT"  # a transfer shipped, not yet received
    REPORTED = "REPORTED"  # a breakage waiting for HQ's approval
    REJECTED = "REJECTED"
    REPLACEMENT_SHIPPED = "REPLACEMENT_SHIPPED"  # old parts checked, new ones on their way


class RoutePlanStatus(enum.StrEnum):
    PROPOSED = "PROPOSED"  # shown to the dispatcher, not yet applied
    APPLIED = "APPLIED"  # its positions and arrivals are on the jobs
    SUPERSEDED = "SUPERSEDED"  # a later plan for the same branch and day was applied


class AttachmentKind(enum.StrEnum):
    """What a file from the field shows (domain/media/evidence.py says which a job needs)."""

    PHOTO = "PHOTO"  # the installed machine, the site, a fault
    SIGNATURE = "SIGNATURE"  # the customer's signature on the phone
    CONFIRMATION_FORM = "CONFIRMATION_FORM"  # the signed form (确认单), photographed
    WATER_TEST_PHOTO = "WATER_TEST_PHOTO"  # the meter or test strip
    PART_PHOTO = "PART_PHOTO"  # a replaced part
    FAULT_PHOTO = "FAULT_PHOTO"  # a repair's fault, before the work


class AttachmentStatus(enum.StrEnum):
    PENDING_UPLOAD = "PENDING_UPLOAD"  # registered (online or by a push), the file not yet in
    VERIFIED = "VERIFIED"  # checked and re-encoded: it counts and may be served
    REJECTED = "REJECTED"  # failed a check: never served, its object is deleted
    EXPIRED = "EXPIRED"  # requested and never confirmed in time


class EvidenceStatus(enum.StrEnum):
    PENDING = "PENDING"  # completed; a required file is not verified yet
    COMPLETE = "COMPLETE"  # every required file is verified


class ImportKind(enum.StrEnum):
    """What a bulk import file holds."""

    CUSTOMERS = "CUSTOMERS"
    DEVICES = "DEVICES"
    CARDS = "CARDS"
    PARTS = "PARTS"
    STOCK = "STOCK"  # opening stock: warehouse, SKU, quantity
    ENGINEERS = "ENGINEERS"


class ImportStatus(enum.StrEnum):
    VALIDATING = "VALIDATING"
    RUNNING = "RUNNING"  # applying batches
    DONE = "DONE"
    FAILED = "FAILED"  # stopped by an unexpected error; running the file again resumes
    # Never stored: how a RUNNING run reads once its heartbeat expired (its process died);
    # running the file again resumes it.
    INTERRUPTED = "INTERRUPTED"


class OutboxStatus(enum.StrEnum):
    PENDING = "PENDING"  # waiting for a worker (or for its retry time)
    LEASED = "LEASED"  # a worker holds it until ``leased_until``; after that anyone may
    DONE = "DONE"
    DEAD = "DEAD"  # not retried: the attempts ran out, or the provider said never


class PushProvider(enum.StrEnum):
    FCM = "FCM"
    HUAWEI = "HUAWEI"


class PushTokenKind(enum.StrEnum):
    TOKEN = "TOKEN"  # noqa: S105 - an FCM registration token or a vendor token, not a secret
    FID = "FID"  # an FCM installation id


class PushPlatform(enum.StrEnum):
    ANDROID = "ANDROID"
    IOS = "IOS"
    WEB = "WEB"


class CustomFieldEntity(enum.StrEnum):
    """The records HQ may add fields to (issue 18 §4)."""

    CUSTOMER = "CUSTOMER"
    DEVICE = "DEVICE"
    TICKET = "TICKET"


class CustomFieldType(enum.StrEnum):
    TEXT = "TEXT"  # up to 500 characters
    NUMBER = "NUMBER"
    DATE = "DATE"  # YYYY-MM-DD
    BOOLEAN = "BOOLEAN"
    CHOICE = "CHOICE"  # one of the field's options
