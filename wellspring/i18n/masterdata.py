"""Messages of master data and the first start. Code: (zh-CN, en); placeholders use str.format names."""

MESSAGES: dict[str, tuple[str, str]] = {
    # master data and the first start (domain/masterdata)
    "ALREADY_INITIALIZED": (
        "数据库已初始化（已有机构或账号），不能再次初始化。",
        "The database is already initialized (it holds an office or a login); init runs once.",
    ),
    "INVALID_CODE": (
        "编号只能包含字母、数字、点、下划线和连字符：{value}",
        "A code may hold only letters, digits, '.', '_' and '-': {value}",
    ),
    "DUPLICATE_CODE": ("编号 {value} 已被使用。", "The code {value} is already in use."),
    "INVALID_TIME": ("时间格式应为 时:分（如 08:30）：{value}", "Give a time as HH:MM: {value}"),
    "HQ_EXISTS": (
        "总部只有一个，不能新建、改成或停用总部。",
        "There is one HQ: no office can become HQ, and HQ cannot be changed or deactivated.",
    ),
    "INVALID_PARENT": (
        "上级机构无效：分公司隶属于总部，办事处隶属于分公司或总部。",
        "Not a valid parent: a branch reports to HQ, an office to a branch or to HQ.",
    ),
    "VAN_BELONGS_TO_ENGINEER": (
        "车载库随工程师创建和维护，不能在此新建或修改。",
        "A van is made and kept with its engineer, not here.",
    ),
    "WAREHOUSE_NOT_EMPTY": (
        "仓库中仍有配件、水机或开户卡，不能停用。",
        "The warehouse still holds parts, machines or cards; it cannot be deactivated.",
    ),
    "TOO_MANY_ITEMS": ("数量过多（最多 {maximum} 个）。", "Too many items (at most {maximum})."),
    "INVALID_FILTER_STAGE": (
        "滤芯级数须为不重复的正整数，寿命天数须大于零。",
        "Filter stages must be distinct positive numbers with a lifetime of at least one day.",
    ),
    "TECHNICIAN_HAS_OPEN_JOBS": (
        "该工程师仍有未完成的派工单，请先改派。",
        "The engineer still has open jobs; reassign them first.",
    ),
    "INVALID_SHIFT": ("下班时间必须晚于上班时间。", "The shift must end after it starts."),
    "INVALID_WORK_DAYS": (
        "工作日须为 1（周一）到 7（周日）。",
        "Working days are 1 (Monday) to 7 (Sunday).",
    ),
    "LAST_ADMIN": (
        "这是最后一个有效的管理员账号，不能停用或改为其他角色。",
        "This is the last active administrator; it cannot be deactivated or given another role.",
    ),
    "CANNOT_DEACTIVATE_SELF": ("不能停用自己的账号。", "You cannot deactivate your own login."),
    "INVALID_CARD_RANGE": (
        "卡号段无效：起止卡号须为位数相同的数字，且结束号不小于起始号。",
        "Not a valid card range: both numbers must be digits of the same width, first to last.",
    ),
    "CARD_SECRETS_COUNT": (
        "密码数量须与卡数一致（{wanted} 个）。",
        "Give one secret per card ({wanted}).",
    ),
    "CARD_NUMBER_TAKEN": ("卡号 {value} 已存在。", "The card number {value} already exists."),
}
