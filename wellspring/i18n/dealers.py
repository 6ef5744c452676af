"""Messages of dealers (agents), their orders and the price standards. Code: (zh-CN, en)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "INVALID_AGENT_PARENT": (
        "上级代理商无效：二级分销须隶属于在用的一级城市总代理，一级城市总代理没有上级，"
        "有下级分销的总代理不能改为分销。",
        "Not a valid parent agent: a sub-distributor reports to an active city general agent, "
        "a city general agent to nobody, and one with sub-distributors cannot become one.",
    ),
    "INVALID_TERRITORY": (
        "代理区域无效：每个区域须有省和市（区县可选），二级分销的区域须在上级代理的区域之内。",
        "Not a valid territory: each area needs a province and a city (a district is "
        "optional), and a sub-distributor's areas must lie inside its parent's.",
    ),
    "INVALID_PERIOD": ("结束日期必须晚于开始日期。", "The end date must come after the start."),
    "AGENT_INACTIVE": ("该代理商已停用。", "The agent is deactivated."),
    "AGENT_ORDER_NOT_OPEN": (
        "订单当前状态（{status}）不允许此操作。",
        "The order's status ({status}) does not allow this.",
    ),
    "CREDIT_APPROVAL_REQUIRED": (
        "订单超出代理商信用额度，须由总部审批后确认。",
        "The order exceeds the agent's credit limit; HQ must approve it when confirming.",
    ),
    "NO_AGENT_WAREHOUSE": (
        "该代理商没有在用的仓库，无法发货。",
        "The agent has no active warehouse to ship into.",
    ),
    "NOT_ENOUGH_MACHINES": (
        "总部仓库中该型号可发的水机不足 {wanted} 台（或所列序列号不符）。",
        "The HQ warehouse has fewer than {wanted} machines of the model to ship (or the "
        "serial numbers given do not match).",
    ),
    "NOT_ENOUGH_CARDS": (
        "总部仓库中可发的开户卡不足 {wanted} 张（或所列卡号不符）。",
        "The HQ warehouse has fewer than {wanted} account cards to ship (or the card "
        "numbers given do not match).",
    ),
    "INVALID_ORDER_LINE": (
        "订单行无效：水机须指定型号，配件须指定在用配件，开户卡不指定型号或配件。",
        "Not a valid order line: a machine names a device model, a part an active part, "
        "and cards neither.",
    ),
    "TERRITORY_CONFLICT": (
        "该客户属于直营分公司或其他代理商，不能由本代理商登记或受理；已记录并报总部。",
        "This customer belongs to a branch or another agent and cannot be taken by this "
        "agent; the attempt was logged for HQ.",
    ),
    "OUT_OF_TERRITORY": (
        "该地址不在本代理商的代理区域内；已记录并报总部。",
        "The address lies outside the agent's territory; the attempt was logged for HQ.",
    ),
    "PRICE_PERIOD_OVERLAP": (
        "同一地区、同一项目的价格标准有效期不能重叠（已有自 {since} 起的标准）。",
        "Price standards of one region and item may not overlap (one holds from {since}).",
    ),
    "NOT_AGENT_ENGINEER": (
        "只能派给本代理商自己的工程师；代理商工程师只服务该代理商的客户。",
        "An agent sends only its own engineers, and an agent's engineer serves only that "
        "agent's customers.",
    ),
    # agents' payments (issue 18)
    "OVERPAYMENT": (
        "付款金额超过应收余额（未付 {unpaid}）：多付不作为预存款，请按实际欠款登记。",
        "The payment is more than is owed ({unpaid} unpaid): over-payment is not kept as "
        "credit; record what is owed.",
    ),
    "ORDER_NOT_PAYABLE": (
        "该订单（{status}）没有可收的欠款：只有已发货且未付清的订单可以收款。",
        "The order ({status}) has nothing to pay: only shipped orders not yet paid in full "
        "take payments.",
    ),
    "PAYMENT_REFERENCE_REUSED": (
        "该客户端流水号已用于另一笔不同金额或订单的付款。",
        "This client reference was already used for a payment of another amount or order.",
    ),
}
