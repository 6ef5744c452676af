"""Messages of service outlets (domain/outlets). Code: (zh-CN, en)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "INVALID_EMAIL": ("电子邮箱格式不正确。", "Not a valid email address."),
    "INVALID_RATE": (
        "金额无效（{value}）：须为不超过上限的非负金额，结算价目只能按工单类型设置。",
        "Not a valid amount ({value}): a non-negative amount within the limit, and a rate card "
        "priced by ticket type.",
    ),
    "ASSESSMENT_PERIOD_INVALID": (
        "考核期间无效：结束日期不得早于开始日期，且期间最长 {maximum} 天。",
        "Not a valid period: it must end on or after its start and last at most {maximum} days.",
    ),
    "INVALID_SCORE": (
        "评分无效：每项考核指标名称不能为空且不能重复，分数须在 0 到 100 之间。",
        "Not a valid score: each criterion needs a distinct name and a score from 0 to 100.",
    ),
    "INVALID_MONTH": (
        "月份格式应为 年-月（如 2026-11）：{value}",
        "Give a month as YYYY-MM (e.g. 2026-11): {value}",
    ),
    "SETTLEMENT_NOT_DRAFT": (
        "结算单已确认或已付款，不能再重新计算或调整。",
        "The settlement is confirmed or paid; it can no longer be recomputed or adjusted.",
    ),
    "SETTLEMENT_NOT_CONFIRMED": (
        "结算单须先确认才能标记为已付款。",
        "A settlement must be confirmed before it is marked paid.",
    ),
    "TECHNICIAN_OTHER_BRANCH": (
        "只能把本网点所属分公司的工程师挂靠到网点。",
        "Only engineers of the outlet's own branch can be attached to it.",
    ),
    # settlements fall back to the price standards (issue 18)
    "SETTLEMENT_UNPRICED": (
        "有 {count} 个工单既不在网点结算价目中，也没有适用的服务收费标准，按 0 计；"
        "请补充价目或价格标准后重新计算，或明确接受后再确认。",
        "{count} job(s) are priced by neither the outlet's rate card nor a service-fee price "
        "standard and count as 0: add a rate or a standard and recompute, or confirm with "
        "acceptUnpriced.",
    ),
}
