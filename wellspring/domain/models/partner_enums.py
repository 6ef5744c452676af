"""The closed vocabularies of the dealers', outlets' and hotline's work (issue 18): a part of
``enums``, which names them too, kept apart so that neither file grows past a reader's page
count."""

from __future__ import annotations

import enum

__all__ = [
    "AGENT_ORDER_OPEN_STATUSES",
    "AgentOrderItem",
    "AgentOrderStatus",
    "AgentPaymentMethod",
    "ArticleStatus",
    "CallbackOutcome",
    "ConflictKind",
    "MissedCallStatus",
    "PriceKind",
    "SettlementPriceSource",
    "SettlementStatus",
]


class AgentOrderStatus(enum.StrEnum):
    SUBMITTED = "SUBMITTED"  # placed by the agent, waiting for HQ
    CONFIRMED = "CONFIRMED"  # HQ accepted it (and approved it when over the credit limit)
    SHIPPED = "SHIPPED"  # out of the HQ warehouse into the agent's
    CANCELLED = "CANCELLED"


AGENT_ORDER_OPEN_STATUSES = frozenset({AgentOrderStatus.SUBMITTED, AgentOrderStatus.CONFIRMED})


class AgentOrderItem(enum.StrEnum):
    MACHINE = "MACHINE"  # by device model; shipped by serial number
    CARD = "CARD"  # account cards; shipped by card number
    PART = "PART"


class PriceKind(enum.StrEnum):
    """What a price standard prices (价格标准)."""

    RECHARGE_BUCKET = "RECHARGE_BUCKET"  # per bucket (桶)
    RECHARGE_MONTH = "RECHARGE_MONTH"  # per month of supply
    RECHARGE_YEAR = "RECHARGE_YEAR"  # per year of supply
    SERVICE_RELOCATE = "SERVICE_RELOCATE"  # a relocation (移机), per visit
    SERVICE_UNINSTALL = "SERVICE_UNINSTALL"
    SERVICE_REPAIR = "SERVICE_REPAIR"  # a chargeable repair visit
    DEALER_MACHINE = "DEALER_MACHINE"  # a machine sold to an agent, per device model
    DEALER_PART = "DEALER_PART"  # a part sold to an agent, per part
    DEALER_CARD = "DEALER_CARD"  # an account card sold to an agent


class ConflictKind(enum.StrEnum):
    DIRECT_CUSTOMER = "DIRECT_CUSTOMER"  # a branch's own customer
    OTHER_AGENT_CUSTOMER = "OTHER_AGENT_CUSTOMER"
    OUT_OF_TERRITORY = "OUT_OF_TERRITORY"  # an address outside the agent's areas


# issue 18: outlets and the hotline's tools
class SettlementStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    CONFIRMED = "CONFIRMED"
    PAID = "PAID"


class MissedCallStatus(enum.StrEnum):
    OPEN = "OPEN"  # waiting for a call back
    RETURNED = "RETURNED"  # a call back reached the caller
    CLOSED = "CLOSED"  # given up after the configured attempts, or a wrong number


class CallbackOutcome(enum.StrEnum):
    REACHED = "REACHED"
    NO_ANSWER = "NO_ANSWER"
    BUSY = "BUSY"
    WRONG_NUMBER = "WRONG_NUMBER"
    VOICEMAIL = "VOICEMAIL"


class ArticleStatus(enum.StrEnum):
    DRAFT = "DRAFT"  # never published: editors only
    PUBLISHED = "PUBLISHED"
    RETIRED = "RETIRED"


# issue 18: agents' payments to HQ
class AgentPaymentMethod(enum.StrEnum):
    BANK_TRANSFER = "BANK_TRANSFER"  # 银行转账
    CASH = "CASH"
    CHEQUE = "CHEQUE"
    ONLINE = "ONLINE"  # an online payment platform
    OTHER = "OTHER"


# issue 18: outlets and the hotline's tools (settlements fall back to the price standards)
class SettlementPriceSource(enum.StrEnum):
    RATE_CARD = "RATE_CARD"  # the outlet's own rate for the ticket type
    PRICE_STANDARD = "PRICE_STANDARD"  # the service-fee standard of the job's region and day
    NONE = "NONE"  # neither: the line is unpriced and flagged
