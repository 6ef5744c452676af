"""Messages of the ticket and job workflows. Code: (zh-CN, en); placeholders use str.format names."""

MESSAGES: dict[str, tuple[str, str]] = {
    # workflows
    "INVALID_TRANSITION": (
        "当前状态（{status}）下不能执行此操作（{action}）。",
        "This cannot be done ({action}) while the record is {status}.",
    ),
    "STALE_OBJECT": (
        "该记录刚被他人修改，当前状态为 {status}，请刷新后重试。",
        "Someone else changed this record just now; it is {status}. Refresh and try again.",
    ),
    "CONCURRENT_CHANGE": (
        "同一时刻有人修改了相同的数据，本次操作未生效，请重试。",
        "Someone changed the same data at that very moment; nothing was applied, try again.",
    ),
    "IDEMPOTENCY_KEY_REUSED": (
        "该防重复提交标识已用于另一次内容不同的提交，本次未生效；新的操作请使用新的标识。",
        "This idempotency key was already used for a different request; nothing was applied. "
        "Use a new key for a new action.",
    ),
    "REASON_REQUIRED": ("请填写原因。", "A reason is required."),
    "CUSTOMER_REQUIRED": (
        "请选择已有客户或填写新客户信息（二选一）。",
        "Give either an existing customer or a new one, not both.",
    ),
    "INVALID_PHONE": ("电话号码格式不正确：{value}", "Not a valid phone number: {value}"),
    "CUSTOMER_EXISTS": (
        "已有同名同电话的客户 {number}，请选择该客户；如确为另一位客户，请勾选“仍然新建”。",
        "A customer with this name and phone exists ({number}): choose them, "
        "or set allowDuplicate to create another anyway.",
    ),
    "DUPLICATE_OPEN_TICKET": (
        "该水机已有同类型的未完成工单 {number}；如确需另开，请勾选“仍然新建”。",
        "The device already has an open ticket of this type ({number}); "
        "set allowDuplicate to open another anyway.",
    ),
    "ALREADY_IN_DEPARTMENT": (
        "工单已在该部门（不填部门即服务台），无需再转交。",
        "The ticket is already with this department (an empty one is the desk); nothing to route.",
    ),
    "UNKNOWN_DISTRICT": (
        "{city}没有“{value}”这个区县，可选：{valid}。",
        "{city} has no district “{value}”; valid districts: {valid}.",
    ),
    "DEVICE_REQUIRED": ("该类型的工单需要指定水机。", "This type of ticket needs a device."),
    "DEVICE_NOT_OF_CUSTOMER": (
        "该水机不属于此客户。",
        "The device does not belong to this customer.",
    ),
    "DEVICE_NOT_INSTALLED": (
        "该水机当前未安装（{status}）。",
        "The device is not installed (it is {status}).",
    ),
    "CARD_REQUIRED": ("该类型的工单需要指定开户卡。", "This type of ticket needs an account card."),
    "CARD_NOT_ACTIVE": (
        "该开户卡未激活或不属于此客户。",
        "The card is not active for this customer.",
    ),
    "CARD_ALREADY_ACTIVE": ("开户卡 {value} 已被激活绑定。", "The card {value} is already active."),
    "CARD_OF_OTHER_OWNER": (
        "开户卡 {value} 不在该客户所属方（其代理商，直营客户为公司）的库存中。",
        "The card {value} is not in the stock of this customer's owner (their agent, or the"
        " company for a direct customer).",
    ),
    "OWNER_REQUIRED": (
        "请指定新的所属方：分公司或代理商，二者选一。",
        "Name the new owner: a branch or an agent, one of the two.",
    ),
    "CUSTOMER_HAS_OPEN_TICKETS": (
        "该客户还有未完结的工单（{number}），请先办结或取消后再转移。",
        "The customer has an open ticket ({number}); close or cancel it before the move.",
    ),
    "SALESPERSON_INVALID": (
        "销售人员须为该客户所属分公司在职的销售。",
        "The salesperson must be an active salesperson of the customer's branch.",
    ),
    "SERVICE_TECHNICIAN_INVALID": (
        "服务工程师须为该客户所属分公司在岗的工程师。",
        "The service engineer must be an active engineer of the customer's branch.",
    ),
    "MACHINE_OF_OTHER_OWNER": (
        "机器 {value} 不在该客户所属方（其代理商，直营客户为公司）的库存中。",
        "The machine {value} is not in the stock of this customer's owner (their agent, or"
        " the company for a direct customer).",
    ),
    "MACHINE_MODEL_MISMATCH": (
        "序列号 {value} 的机器入库型号为 {model}，与所填型号不符。",
        "The machine {value} was received as model {model}, not the model given.",
    ),
    "SERIAL_IN_USE": (
        "序列号 {value} 的水机已在使用中。",
        "A device with serial number {value} is already in use.",
    ),
    "BRANCH_REQUIRED": ("请指定受理的分公司。", "Name the branch that will handle this."),
    "INVALID_BRANCH": ("不能派单到该机构。", "Work cannot be dispatched to this office."),
    "DISPATCH_OTHER_BRANCH": (
        "该客户属于其他分公司，工单只能派往客户所属的分公司；如需由其他分公司服务，请先由总部转移客户。",
        "This customer belongs to another branch: a ticket goes to the customer's branch. To serve them from another branch, HQ moves the customer first.",
    ),
    "TECHNICIAN_NOT_IN_BRANCH": (
        "该工程师不属于此派工单所在的分公司或已停用。",
        "The engineer is not active in this job's branch.",
    ),
    "APPOINTMENT_WINDOW_INVALID": (
        "预约时间段无效：需同时给出开始和结束时间，且结束晚于开始、不早于现在。",
        "The appointment window is invalid: give both ends, the end after the start and not in the past.",
    ),
    "REPORT_FIELD_REQUIRED": (
        "此类工单完工时须填写{field}。",
        "Completing this type of job needs {field}.",
    ),
    "FILTER_NOT_OF_MODEL": (
        "{field} 含有不属于该水机型号（或已从该型号停用）的滤芯，请刷新后重新选择。",
        "{field} names a filter that is not one of this device's model (or was dropped from "
        "it): refresh and choose again.",
    ),
    "UNKNOWN_FAULT_CODE": ("故障代码不在目录中。", "The fault code is not in the catalogue."),
    "UNKNOWN_REPAIR_LEVEL": (
        "维修等级不在目录中或已停用。",
        "The repair level is not in the catalogue or is retired.",
    ),
    "CONFIRMATION_NUMBER_TAKEN": (
        "确认单号已被使用。",
        "The confirmation form number is already used.",
    ),
    "RECHARGE_PLAN_MISMATCH": (
        "充值方式与水机的供水方式（{mode}）不符。",
        "The recharge plan does not match the device's supply mode ({mode}).",
    ),
    "RECHARGE_PRICE_UNAVAILABLE": (
        "水机所在地暂无{mode}供水的标准价格，请致电客服充值。",
        "No price standard holds for the device's plan ({mode}) where it stands: recharge "
        "through the hotline.",
    ),
    "SCORE_OUT_OF_RANGE": ("评分必须在 1 到 5 之间。", "The score must be between 1 and 5."),
    "DISSATISFACTION_REQUIRED": (
        "评分较低时请选择不满意原因。",
        "Choose a dissatisfaction category for a low score.",
    ),
    "QUANTITY_OUT_OF_RANGE": ("{field} 必须大于 0。", "{field} must be greater than 0."),
    "AMOUNT_NEGATIVE": ("{field} 不能为负数。", "{field} cannot be negative."),
    "AMOUNT_PRECISION": (
        "金额最多精确到分（两位小数）：{value}",
        "An amount is counted in fen, with at most two decimals: {value}",
    ),
}
