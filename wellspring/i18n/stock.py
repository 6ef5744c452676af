"""Messages of stock: warehouses, movements, parts consumed, discrepancies. Code: (zh-CN, en); placeholders use str.format names."""

MESSAGES: dict[str, tuple[str, str]] = {
    # stock
    "INSUFFICIENT_STOCK": (
        "库存不足：现有 {available}，需要 {wanted}。",
        "Not enough stock: {available} available, {wanted} wanted.",
    ),
    "STOCK_LIMIT_EXCEEDED": (
        "{field} 会使库存超过上限 {maximum}（现有 {available}）。",
        "{field} would take the stock past its limit of {maximum} ({available} held).",
    ),
    "UNKNOWN_PART": ("未知的配件。", "Unknown part."),
    "UNKNOWN_BIN_LOCATION": (
        "货位 {value} 不是该仓库启用中的货位（请先由总部维护货位）。",
        "The bin location {value} is not an active bin of this warehouse (HQ adds bins first).",
    ),
    "PART_INACTIVE": (
        "配件 {sku} 已停用，不能再入库、调拨或领用。",
        "The part {sku} is deactivated: it can no longer be received, transferred or used.",
    ),
    "PART_NOT_COMPATIBLE": (
        "配件 {sku} 不适用于该水机的型号 {model}。",
        "The part {sku} does not fit the device's model {model}.",
    ),
    "JOB_CLOSED": (
        "派工单 {number} 已结束（完工、失败或取消），本条记录（结束后登记的用料、记录，"
        "或任何进度变更）不能再计入该单，也无需重发。",
        "Job {number} is closed (completed, failed or cancelled): this record (parts or "
        "records made after that, or any move) cannot be added to it and need not be sent "
        "again.",
    ),
    "JOB_NOT_HELD": (
        "派工单 {number} 已改派，不由您负责，本条记录不会生效：它登记于该单派给您之前，"
        "或会改变他人负责的派工单的进度。无需重发；如确有需要，请联系分公司内勤处理。",
        "Job {number} was reassigned and is not yours, so this record is not applied: it was "
        "made before the job was yours, or it would move on a job someone else holds now. It "
        "need not be sent again; if it matters, tell your branch.",
    ),
    "SAME_WAREHOUSE": (
        "调出和调入不能是同一个仓库。",
        "A transfer needs two different warehouses.",
    ),
    "SERIAL_IN_STOCK": (
        "序列号 {value} 的水机已有记录。",
        "A machine with serial number {value} is already recorded.",
    ),
    "SERIAL_NOT_IN_STOCK": (
        "序列号 {value} 的水机不在库存中。",
        "No machine with serial number {value} is in stock.",
    ),
    "NO_WAREHOUSE": (
        "该分公司没有可入库的仓库。",
        "This branch has no warehouse to take the machine.",
    ),
    "COUNTS_DO_NOT_ADD_UP": (
        "合格数与不合格数之和必须等于发出数量 {shipped}。",
        "Valid and rejected must add up to the {shipped} shipped.",
    ),
    "NO_VAN": ("您名下没有车载库存。", "You have no van stock."),
    "DISCREPANCY_ALREADY_RESOLVED": (
        "该库存差异已经处理过了。",
        "This stock discrepancy has already been resolved.",
    ),
}
