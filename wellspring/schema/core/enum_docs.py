"""What each GraphQL enum and each of its values means, for the schema's readers.

Keyed by the enum's GraphQL name and the value's name. tests/test_schema_docs.py fails when an
enum or a value in the schema has no entry, so a new vocabulary cannot ship undocumented.
The customers', dealers', outlets' and hotline's enums are in ``enum_docs_partners.py``;
stock, field files and notifications in ``enum_docs_operations.py``.
"""

from __future__ import annotations

from .enum_docs_operations import OPERATIONS_ENUM_DOCS
from .enum_docs_partners import PARTNER_ENUM_DOCS

_CORE: dict[str, tuple[str, dict[str, str]]] = {
    "Role": (
        "What a login may do and see (docs/api.md, 'Who may see what').",
        {
            "ADMIN": "System administrator: users, sessions, the audit log.",
            "HQ": "Headquarters management: sees and manages every branch.",
            "HOTLINE": "400 hotline agent: opens tickets for any branch, makes follow-up calls.",
            "CLERK": "Branch clerk (内勤): dispatches and schedules one branch's work.",
            "SALES": "Salesperson: sees only their own customers.",
            "TECHNICIAN": "Field engineer: sees the jobs assigned to them and their van.",
            "AGENT": "A dealer's login (代理商): sees only the dealer's own customers and stock.",
            "CUSTOMER": "A customer: sees their own devices, tickets and visits.",
        },
    ),
    "BranchKind": (
        "The kind of an office.",
        {
            "HQ": "Headquarters.",
            "BRANCH": "A directly operated city branch (分公司).",
            "OFFICE": "A regional office (办事处).",
        },
    ),
    "AgentLevel": (
        "A dealer's level.",
        {
            "CITY_GENERAL": "City general agent (一级城市总代理).",
            "SUB_DISTRIBUTOR": "Sub-distributor under a city general agent (二级分销).",
        },
    ),
    "CustomerKind": (
        "Whether a customer is a person or an organisation.",
        {"PERSON": "A private person.", "ORGANIZATION": "A company, school or office."},
    ),
    "CustomerTier": (
        "A customer's service tier.",
        {
            "VIP": "VIP customer.",
            "GOLD": "Gold tier (黄金).",
            "SILVER": "Silver tier (白银).",
            "IRON": "Iron tier (黑铁), the default.",
        },
    ),
    "OwnerKind": (
        "Who owns a customer relationship.",
        {
            "BRANCH": "A direct customer of a branch (possibly through a salesperson).",
            "AGENT": "A dealer's customer; invisible to other dealers.",
        },
    ),
    "SupplyMode": (
        "How a device's water is paid for.",
        {
            "MONTHLY": "By the month: the device has a supply expiry date (供水期限).",
            "BUCKETS": "By the bucket (桶): the device has a bucket balance.",
        },
    ),
    "DeviceStatus": (
        "Where a leased machine is in its life.",
        {
            "IN_STOCK": "In a warehouse, not installed.",
            "INSTALLED": "Installed at a customer's address.",
            "UNINSTALLED": "Taken back from the customer.",
            "WRITTEN_OFF": "Removed from the books.",
        },
    ),
    "CardStatus": (
        "An account card's (开户卡) state.",
        {
            "IN_STOCK": "In a warehouse, never used.",
            "ACTIVE": "Bound to a customer and a device.",
            "AWAITING_ACTIVATION": "Unbound after a cancellation (退卡), ready to be bound again.",
        },
    ),
    "TicketType": (
        "What a customer asked for.",
        {
            "INSTALL": "Install a machine (装机).",
            "UNINSTALL": "Take a machine back (退机).",
            "RELOCATE": "Move a machine to a new address (移机); needs the branch's approval.",
            "CARD_CANCEL": "Cancel an account card (退卡).",
            "RECHARGE": "Buy water (冲水): months or buckets.",
            "REPAIR": "Repair a machine (报修).",
            "FILTER_CHANGE": "Change filters (换芯).",
            "WATER_TEST": "Test the water on site (水质检测).",
            "COMPLAINT": "A complaint (投诉).",
            "INQUIRY": "A question (咨询).",
            "PRAISE": "Praise (表扬).",
        },
    ),
    "TicketStatus": (
        "Where a ticket is on its spine (docs/glossary.md).",
        {
            "CREATED": "Opened, waiting for approval.",
            "APPROVED": "Approved (审核), waiting to be sent to a branch.",
            "DISPATCHED": "Sent to a branch (派单), which has a job for it.",
            "ASSIGNED": "An engineer is assigned.",
            "APPOINTED": "A visit window is agreed with the customer (预约).",
            "EN_ROUTE": "The engineer is on the way.",
            "ON_SITE": "The engineer is at the customer's site.",
            "COMPLETED": "The work is done and the report filed.",
            "FOLLOW_UP_DUE": "Waiting for the follow-up call (待回访).",
            "CLOSED": "The follow-up is recorded; nothing more to do.",
            "REJECTED": "Refused at approval, with a reason.",
            "CANCELLED": "Cancelled before completion, with a reason.",
        },
    ),
    "Priority": (
        "How urgent a ticket is; it sets the due time with the ticket type.",
        {
            "LOW": "Can wait.",
            "NORMAL": "The default.",
            "HIGH": "Sooner than normal.",
            "URGENT": "First in every queue.",
        },
    ),
    "Channel": (
        "How a request reached the company.",
        {
            "HOTLINE": "A call to the 400 hotline.",
            "APP": "The customer app.",
            "WECHAT": "WeChat.",
            "WALK_IN": "In person at an office.",
            "AGENT": "Through a dealer.",
            "SYSTEM": "Opened by the system itself (a low score, a failed water test).",
        },
    ),
    "JobStatus": (
        "Where a field visit (派工单) is.",
        {
            "PENDING": "Created by dispatch; no engineer yet.",
            "ASSIGNED": "An engineer is assigned and has not accepted yet.",
            "ACCEPTED": "The engineer accepted the job.",
            "EN_ROUTE": "The engineer is on the way.",
            "ON_SITE": "The engineer is at the site.",
            "COMPLETED": "Done, report filed.",
            "FAILED": "Could not be done; the ticket goes back to the dispatcher with a new job.",
            "CANCELLED": "Cancelled with its ticket or by a reassignment.",
        },
    ),
    "FollowUpStatus": (
        "A follow-up call's state.",
        {"DUE": "Waiting for the call.", "DONE": "The call is recorded."},
    ),
    "Dissatisfaction": (
        "Why a customer was not satisfied, as recorded at the follow-up call.",
        {
            "MISSED_CALL": "Nobody answered or called back.",
            "SLOW_REPAIR": "The repair took too long.",
            "INCOMPLETE_REPAIR": "The problem was not fixed.",
            "ATTITUDE": "The engineer's or agent's attitude.",
            "PRODUCT_FAULT": "The product itself.",
            "PRICE": "The price.",
            "OTHER": "Anything else (see the comment).",
        },
    ),
    "ImportKind": (
        "What a bulk import file holds.",
        {
            "CUSTOMERS": "Customers with their structured address (natural key: phone + name).",
            "DEVICES": "Devices at customers' sites, with card, model, address and supply "
            "(natural key: serial number).",
            "CARDS": "Spare account cards into a warehouse (natural key: card number).",
            "PARTS": "Spare parts and consumables (natural key: SKU).",
            "STOCK": "Opening stock: warehouse, SKU, quantity (once per warehouse, part, bin).",
            "ENGINEERS": "Engineers with their login and van (natural key: username).",
        },
    ),
    "CustomFieldEntity": (
        "The records HQ may add fields to.",
        {"CUSTOMER": "Customers.", "DEVICE": "Devices (machines).", "TICKET": "Tickets."},
    ),
    "CustomFieldType": (
        "What a custom field holds.",
        {
            "TEXT": "Text, up to 500 characters.",
            "NUMBER": "A number.",
            "DATE": "A date, YYYY-MM-DD.",
            "BOOLEAN": "Yes or no (true/false).",
            "CHOICE": "One of the field's options.",
        },
    ),
    "ImportStatus": (
        "Where an import is.",
        {
            "VALIDATING": "Checking every row.",
            "RUNNING": "Writing the valid rows, batch by batch.",
            "DONE": "Finished (a dry run is done once checked).",
            "FAILED": "Stopped by an unexpected error; StartImport with the same file resumes.",
            "INTERRUPTED": (
                "Was RUNNING but its process stopped (no heartbeat within the lease); "
                "StartImport with the same file resumes it."
            ),
        },
    ),
    "RoutePlanStatus": (
        "A route plan's state.",
        {
            "PROPOSED": "Shown to the dispatcher, not applied.",
            "APPLIED": "Its positions and arrivals are on the jobs.",
            "SUPERSEDED": "A later plan for the same branch and day was applied.",
        },
    ),
    "PositionSource": (
        "Where an engineer's position comes from, best first.",
        {
            "PHONE": "The phone's last report, fresh enough.",
            "LAST_SITE": "The site of the last job reached today.",
            "HOME": "The engineer's home base.",
            "BRANCH": "Nothing better: the branch office.",
        },
    ),
    "CoordSystem": (
        "The datum of coordinates sent by a client; the server stores WGS-84.",
        {
            "WGS84": "GPS coordinates (WGS-84).",
            "GCJ02": "China's GCJ-02, as Chinese map providers and most phones' maps use.",
            "BD09": "Baidu's BD-09.",
        },
    ),
    "TechnicianDayStatus": (
        "Where an engineer is in their day, now (Asia/Shanghai).",
        {
            "OFF_SHIFT": "Not a working day or outside the shift hours, and on no job.",
            "FREE": "On shift and not travelling to or working at a job.",
            "EN_ROUTE": "Travelling to a job.",
            "ON_JOB": "On site at a job.",
        },
    ),
    "JobOrder": (
        "How the Jobs list is ordered.",
        {
            "NEWEST": "Newest first.",
            "APPOINTMENT": "Earliest appointment first; jobs without an appointment are left out.",
        },
    ),
    "RepairLevel": (
        "How deep a repair went (维修等级): the three levels shipped first. Deprecated with "
        "JobReport(Input).repairLevel: repair levels are data (repairLevels, "
        "UpsertRepairLevel); use repairLevelCode.",
        {
            "LEVEL_1": "Adjusted on site, no part replaced.",
            "LEVEL_2": "Parts replaced on site.",
            "LEVEL_3": "The machine goes back for repair.",
        },
    ),
    "DeviceCondition": (
        "The state of a machine taken back from a site.",
        {
            "GOOD": "Reusable: restocked in the good bin.",
            "DEFECTIVE": "Faulty: restocked in the defective bin.",
        },
    ),
    "PaymentMethod": (
        "How a recharge is paid.",
        {
            "ON_SITE": "Paid to the engineer on site.",
            "POSTAL": "By postal remittance.",
            "CARD": "By bank card.",
            "ONLINE": "Paid online.",
        },
    ),
    "SuggestedAction": (
        "What a stock suggestion proposes for a balance under its safety stock.",
        {
            "TRANSFER": "Transfer from `source`, the nearest warehouse that can spare it.",
            "PURCHASE": "No warehouse can spare it: purchase.",
        },
    ),
    "CoordinateSource": (
        "Where an address's coordinates came from.",
        {
            "CLIENT": "The caller's map pick, converted to WGS-84.",
            "NOMINATIM": "Geocoded by OpenStreetMap's Nominatim.",
            "BAIDU": "Geocoded by Baidu Maps.",
            "CENTROID": "The district's centre: approximate.",
        },
    ),
}

ENUM_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    **_CORE,
    **OPERATIONS_ENUM_DOCS,
    **PARTNER_ENUM_DOCS,
}
