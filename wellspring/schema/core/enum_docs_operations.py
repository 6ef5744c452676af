"""What the enums of stock, field files and notifications mean: a part of
``enum_docs.ENUM_DOCS``, kept apart so that neither file grows past a reader's page count."""

from __future__ import annotations

OPERATIONS_ENUM_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    # stock (仓库, 库存)
    "WarehouseKind": (
        "The kind of a warehouse (仓库).",
        {
            "HQ": "Headquarters' warehouse, with bin locations (货位).",
            "REPAIR_CENTER": "The repair center that checks old parts.",
            "REPAIR_STATION": "A branch's repair station.",
            "VAN": "An engineer's van.",
            "AGENT": "A dealer's own stock.",
        },
    ),
    "StockBin": (
        "The two bins every warehouse holds.",
        {"GOOD": "Usable stock.", "DEFECTIVE": "Old or broken parts and machines."},
    ),
    "LedgerKind": (
        "What an append-only stock ledger entry records.",
        {
            "RECEIPT": "Stock received.",
            "TRANSFER_OUT": "Stock shipped to another warehouse.",
            "TRANSFER_IN": "Stock received from another warehouse.",
            "CONSUMPTION": "Parts used on a job.",
            "OLD_PART": "A swapped-out part into the van's defective bin.",
            "BREAKAGE": "Breakage written off (报损).",
            "MATERIAL_RETURN": "Stock returned from a van to its station (退料).",
            "STOCKTAKE": "An adjustment from a stocktake count (盘点).",
            "REVERSAL": (
                "The reversal of an earlier entry: older releases gave a cancelled job's parts "
                "back with it. Nothing posts it now (a cancellation keeps parts fitted)."
            ),
            "SHORTFALL": (
                "Provisional: what an offline consumption used beyond the van's book stock,"
                " until its stock discrepancy is resolved."
            ),
            "SHORTFALL_SETTLED": "Cancels a shortfall when its discrepancy is resolved.",
            "WRITE_OFF": "A shortfall nobody can explain, accepted with a reason.",
        },
    ),
    "MovementKind": (
        "The kind of a stock document (库存单据).",
        {
            "RECEIPT": "A receipt into a warehouse.",
            "TRANSFER": "A transfer between warehouses (调拨), in two steps.",
            "BREAKAGE": "A breakage report, approved by HQ (报损).",
            "STOCKTAKE": "A stocktake (盘点).",
            "MATERIAL_RETURN": "A van's material back to its station (退料).",
            "OLD_PART_RETURN": "A station's old parts to the repair center (旧件返厂).",
        },
    ),
    "MovementStatus": (
        "Where a stock document is.",
        {
            "DONE": "Posted to the ledger.",
            "IN_TRANSIT": "A transfer shipped, not yet received.",
            "REPORTED": "A breakage waiting for HQ's approval.",
            "REJECTED": "Refused by HQ.",
            "REPLACEMENT_SHIPPED": "Old parts checked; replacements on their way.",
        },
    ),
    "DiscrepancyStatus": (
        "Whether a stock discrepancy still waits for the branch.",
        {"OPEN": "Waiting for the branch to settle it.", "RESOLVED": "Settled."},
    ),
    "DiscrepancyResolution": (
        "How the branch explained a van's shortfall.",
        {
            "UNBOOKED_TRANSFER": "Parts moved into the van without a document; booked now.",
            "STOCKTAKE_CORRECTION": "The van held more than its book said.",
            "WRITE_OFF": "Unexplained; accepted with a reason.",
        },
    ),
    # files from the field and notifications
    "AttachmentKind": (
        "What a file from the field shows.",
        {
            "PHOTO": "A photo of the site or the installed machine.",
            "SIGNATURE": "The customer's signature, drawn on the phone.",
            "CONFIRMATION_FORM": "A photo of the signed confirmation form (确认单).",
            "WATER_TEST_PHOTO": "The meter or test strip of a water test.",
            "PART_PHOTO": "A replaced part.",
            "FAULT_PHOTO": "A repair's fault, before the work.",
        },
    ),
    "AttachmentStatus": (
        "Where a file is between the phone and the record.",
        {
            "PENDING_UPLOAD": "Registered; the file has not been confirmed yet.",
            "VERIFIED": "Checked and re-encoded: it counts and may be served.",
            "REJECTED": "Failed a check (see its code): never served.",
            "EXPIRED": "Its upload was never confirmed in time; request a new upload.",
        },
    ),
    "EvidenceStatus": (
        "Whether a completed job carries every file its type requires.",
        {
            "PENDING": "Completed; a required file is still uploading or being verified.",
            "COMPLETE": "Every required file is verified.",
        },
    ),
    "NotificationKind": (
        "What an inbox item (or a push) tells: the event the domain recorded.",
        {
            "TICKET_STATUS_CHANGED": "A ticket changed status (live updates only).",
            "JOB_CREATED": "A job was opened (live updates only).",
            "JOB_STATUS_CHANGED": "A job changed status (live updates only).",
            "JOB_ASSIGNED": (
                "A job was given to its engineer; with a window, the appointment (also when "
                "the engineer agrees the first window with the customer)."
            ),
            "JOB_RESCHEDULED": "The same engineer, another appointment window.",
            "JOB_REASSIGNED_AWAY": "A job was taken from its engineer and given to another.",
            "JOB_CANCELLED": "A job was cancelled with its ticket.",
            "ENGINEER_EN_ROUTE": "The engineer set off for the visit (with the ETA).",
            "ENGINEER_ARRIVED": "The engineer arrived at the site.",
            "JOB_COMPLETED": "The visit is done: the customer is asked for a rating.",
            "FOLLOW_UP_DUE": "A follow-up call is due.",
            "LOW_SCORE": "A follow-up call scored low; a complaint was opened.",
            "RECHARGE_PAID": "A customer recharged water (for their service engineer).",
            "SUPPLY_EXPIRING": "A monthly water plan ends in a few days.",
            "FILTER_DUE": "A filter is due for change.",
            "STOCK_BELOW_SAFETY": "A warehouse holds less of a part than its safety stock.",
            "STOCK_DISCREPANCY_OPENED": "A van used more parts than its book held.",
            "EVIDENCE_OVERDUE": "A completed job's required photos or forms are overdue.",
            "TICKET_OVERDUE": "A ticket is past its service-level deadline.",
            "ENGINEER_POSITION": "Never an inbox item: an engineer's live position "
            "(subscriptions only).",
            "BUCKETS_LOW": "A bucket-plan device has only a few buckets of water left.",
            "RECHARGE_LAPSED": "A monthly water plan ended without a recharge: call the customer.",
        },
    ),
    "PushProvider": (
        "The push channel a phone's token belongs to.",
        {
            "FCM": "Firebase Cloud Messaging (registration token or installation id).",
            "HUAWEI": "Huawei Push Kit (Huawei and Honor phones in mainland China).",
        },
    ),
    "PushTokenKind": (
        "What the stored push address is.",
        {
            "TOKEN": "A registration token.",
            "FID": "An FCM installation id.",
        },
    ),
    "PushPlatform": (
        "The phone's platform.",
        {"ANDROID": "Android.", "IOS": "iOS.", "WEB": "A web browser."},
    ),
}
