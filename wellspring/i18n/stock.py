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
        "派工单 {number} 已完工，不能再登记用料。",
        "Job {number} is completed: no more parts can be recorded on it.",
    ),
    "JOB_NOT_HELD": (
        "登记这些用料时，派工单 {number} 尚未派给您（现已改派给其他工程师），"
        "本条用料不会入账，也无需重发；如确已使用，请联系分公司内勤处理。",
        "Job {number} was not yet yours when these parts were recorded (it is another "
        "engineer's now): they are not booked and need not be sent again. If they were used, "
        "tell your branch.",
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
