"""Codes the stock rules raise (besides ``domain.error_codes.CommonErrorCode``)."""

from __future__ import annotations

import enum


class StockErrorCode(enum.StrEnum):
    """The ledger, movements, machines by serial number, old parts and discrepancies."""

    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    # a balance would pass what its column and GraphQL's Int hold (bounds.MAX_BALANCE)
    STOCK_LIMIT_EXCEEDED = "STOCK_LIMIT_EXCEEDED"
    UNKNOWN_PART = "UNKNOWN_PART"
    SAME_WAREHOUSE = "SAME_WAREHOUSE"
    SERIAL_IN_STOCK = "SERIAL_IN_STOCK"
    SERIAL_NOT_IN_STOCK = "SERIAL_NOT_IN_STOCK"
    NO_WAREHOUSE = "NO_WAREHOUSE"
    NO_VAN = "NO_VAN"
    COUNTS_DO_NOT_ADD_UP = "COUNTS_DO_NOT_ADD_UP"
    DISCREPANCY_ALREADY_RESOLVED = "DISCREPANCY_ALREADY_RESOLVED"
    # parts on jobs (issue 14): a closed job, a part the model does not take, a retired part
    JOB_CLOSED = "JOB_CLOSED"
    PART_NOT_COMPATIBLE = "PART_NOT_COMPATIBLE"
    PART_INACTIVE = "PART_INACTIVE"
    # a record pushed for a job reassigned since: parts, a note or a water test made before
    # the engineer held it, or any move (it would move someone else's job); final, no retry
    # can change it (inventory/former_holder.py, workflow/fieldwork.py)
    JOB_NOT_HELD = "JOB_NOT_HELD"
    # a part's place in a warehouse: one of its active bins (masterdata bin locations)
    UNKNOWN_BIN_LOCATION = "UNKNOWN_BIN_LOCATION"
