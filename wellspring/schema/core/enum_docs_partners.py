"""What the enums of the customers', dealers', outlets' and hotline's areas mean (issues 17
and 18): the second half of ``enum_docs.ENUM_DOCS``, kept apart so that neither file grows
past a reader's page count."""

from __future__ import annotations

PARTNER_ENUM_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    # customer tracking (issue 17)
    "VisitStage": (
        "Where a visit stands, as the customer's tracking page shows it.",
        {
            "RECEIVED": "The request is received (approved, dispatched or assigned).",
            "APPOINTED": "A time window is agreed with the customer.",
            "EN_ROUTE": "The engineer is on the way.",
            "ON_SITE": "The engineer has arrived.",
            "DONE": "The work is done.",
            "CANCELLED": "The request was cancelled or rejected.",
        },
    ),
    "FollowUpSource": (
        "Who gave a follow-up's score.",
        {
            "HOTLINE": "The hotline, on its call back.",
            "CUSTOMER": "The customer, rating the visit on the tracking page or in their account.",
        },
    ),
    "VisitChangeKind": (
        "What a customer asks to change about a visit (the hotline decides).",
        {"RESCHEDULE": "Another time, please.", "CANCEL": "No visit, please."},
    ),
    # dealers and price standards (issue 18)
    "AgentOrderStatus": (
        "Where an agent's purchase order from HQ stands.",
        {
            "SUBMITTED": "Placed by the agent, waiting for HQ's confirmation.",
            "CONFIRMED": "Confirmed by HQ (approved too when over the credit limit).",
            "SHIPPED": "Shipped from an HQ warehouse into the agent's warehouse.",
            "CANCELLED": "Withdrawn by the agent or cancelled by HQ before shipment.",
        },
    ),
    "AgentOrderItem": (
        "What an order line buys.",
        {
            "MACHINE": "Machines of a device model, shipped by serial number.",
            "CARD": "Account cards (开户卡), shipped by card number.",
            "PART": "A spare part or consumable, shipped through the stock ledger.",
        },
    ),
    "PriceKind": (
        "What a price standard (价格标准) prices.",
        {
            "RECHARGE_BUCKET": "A recharge, per bucket (桶).",
            "RECHARGE_MONTH": "A recharge, per month of supply.",
            "RECHARGE_YEAR": "A recharge, per year of supply.",
            "SERVICE_RELOCATE": "A relocation (移机), per visit.",
            "SERVICE_UNINSTALL": "An uninstall (退机), per visit.",
            "SERVICE_REPAIR": "A chargeable repair visit.",
            "DEALER_MACHINE": "A machine sold to an agent, per device model.",
            "DEALER_PART": "A part sold to an agent, per part.",
            "DEALER_CARD": "An account card sold to an agent.",
        },
    ),
    "ConflictKind": (
        "Why an agent's request was refused as a territory conflict.",
        {
            "DIRECT_CUSTOMER": "The customer is a branch's direct customer.",
            "OTHER_AGENT_CUSTOMER": "The customer belongs to another agent.",
            "OUT_OF_TERRITORY": "The address lies outside the agent's territory.",
        },
    ),
    # issue 18: outlets and the hotline's tools
    "OutletLevel": (
        "A service outlet's level (服务网点等级), A the highest.",
        {"A": "Level A.", "B": "Level B.", "C": "Level C."},
    ),
    "SettlementStatus": (
        "Where a monthly outlet settlement stands.",
        {
            "DRAFT": "Computed; may be recomputed and adjusted.",
            "CONFIRMED": "Confirmed by HQ; frozen, waiting for payment.",
            "PAID": "Paid to the outlet.",
        },
    ),
    "MissedCallStatus": (
        "Where a missed call (呼损) stands.",
        {
            "OPEN": "Waiting for a call back.",
            "RETURNED": "A call back reached the caller.",
            "CLOSED": "Closed unreturned: a wrong number, or the attempts ran out.",
        },
    ),
    "CallbackOutcome": (
        "How one call-back attempt went.",
        {
            "REACHED": "The caller answered: the call is returned.",
            "NO_ANSWER": "Nobody answered.",
            "BUSY": "The line was busy.",
            "WRONG_NUMBER": "Not the caller's number: the call is closed.",
            "VOICEMAIL": "A message was left on voicemail.",
        },
    ),
    "ArticleStatus": (
        "Whether readers get a knowledge-base article.",
        {
            "DRAFT": "Never published: only editors see it.",
            "PUBLISHED": "Readers get its latest published revision.",
            "RETIRED": "Withdrawn: editors only, out of search.",
        },
    ),
    "CallbackOrder": (
        "The order of the call-back list.",
        {
            "NEWEST": "The most recent missed call first.",
            "LONGEST_WAITING": "The call waiting longest first.",
        },
    ),
    # issue 18: agents' payments
    "AgentPaymentMethod": (
        "How an agent paid HQ.",
        {
            "BANK_TRANSFER": "A bank transfer (银行转账).",
            "CASH": "Cash.",
            "CHEQUE": "A cheque (支票).",
            "ONLINE": "An online payment platform.",
            "OTHER": "Another way (say which in the note).",
        },
    ),
    # issue 18: outlets (settlements fall back to the price standards)
    "SettlementPriceSource": (
        "Where a settlement line's rate came from.",
        {
            "RATE_CARD": "The outlet's rate card.",
            "PRICE_STANDARD": "The service-fee price standard of the job's region and day "
            "(the rate card has no rate for the type).",
            "NONE": "Neither: the jobs are unpriced (amount 0) and the line is flagged.",
        },
    ),
}
