"""Every message a person reads, in Simplified Chinese and English, keyed by its error code.

Codes are stable identifiers clients switch on; messages may change wording freely.
"""

from __future__ import annotations

from typing import Any

from .i18n_terms import DETAILS, ROLES, STATUSES, action_name, field_name, history_reason, term

__all__ = ["history_reason", "message", "negotiate"]

ZH = "zh-CN"
EN = "en"
LOCALES = (ZH, EN)
DEFAULT_LOCALE = ZH

# code: (zh-CN, en). Placeholders use str.format names.
MESSAGES: dict[str, tuple[str, str]] = {
    # authentication and sessions
    "UNAUTHENTICATED": (
        "请先登录，或登录已过期。",
        "Please sign in; your session is missing or has expired.",
    ),
    "FORBIDDEN": ("您没有执行此操作的权限。", "You are not allowed to do this."),
    "INVALID_CREDENTIALS": ("用户名或密码错误。", "The username or password is wrong."),
    "TOO_MANY_ATTEMPTS": (
        "登录失败次数过多，请在 {seconds} 秒后重试。",
        "Too many failed sign-ins. Try again in {seconds} seconds.",
    ),
    "INVALID_REFRESH_TOKEN": (
        "刷新令牌无效或已过期，请重新登录。",
        "The refresh token is invalid or has expired; please sign in again.",
    ),
    "SESSION_NOT_FOUND": ("找不到该会话。", "No such session."),
    "USER_NOT_FOUND": ("找不到该用户。", "No such user."),
    # users
    "USERNAME_TAKEN": ("用户名 {username} 已被使用。", "The username {username} is taken."),
    "PASSWORD_TOO_SHORT": (
        "密码至少需要 {minimum} 个字符。",
        "The password needs at least {minimum} characters.",
    ),
    "UNKNOWN_BRANCH": ("找不到编号为 {value} 的分公司。", "No branch has the code {value}."),
    "UNKNOWN_AGENT": ("找不到编号为 {value} 的代理商。", "No agent has the code {value}."),
    "UNKNOWN_CUSTOMER": ("找不到编号为 {value} 的客户。", "No customer has the code {value}."),
    "ROLE_NEEDS_BRANCH": ("角色 {role} 必须属于一个分公司。", "The role {role} needs a branch."),
    # workflows
    "INVALID_TRANSITION": (
        "当前状态（{status}）下不能执行此操作（{action}）。",
        "This cannot be done ({action}) while the record is {status}.",
    ),
    "STALE_OBJECT": (
        "该记录刚被他人修改，当前状态为 {status}，请刷新后重试。",
        "Someone else changed this record just now; it is {status}. Refresh and try again.",
    ),
    "REASON_REQUIRED": ("请填写原因。", "A reason is required."),
    "CUSTOMER_REQUIRED": (
        "请选择已有客户或填写新客户信息（二选一）。",
        "Give either an existing customer or a new one, not both.",
    ),
    "INVALID_PHONE": ("电话号码格式不正确：{value}", "Not a valid phone number: {value}"),
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
    "SERIAL_IN_USE": (
        "序列号 {value} 的水机已在使用中。",
        "A device with serial number {value} is already in use.",
    ),
    "BRANCH_REQUIRED": ("请指定受理的分公司。", "Name the branch that will handle this."),
    "INVALID_BRANCH": ("不能派单到该机构。", "Work cannot be dispatched to this office."),
    "TECHNICIAN_NOT_IN_BRANCH": (
        "该工程师不属于此派工单所在的分公司或已停用。",
        "The engineer is not active in this job's branch.",
    ),
    "APPOINTMENT_WINDOW_INVALID": (
        "预约时间段无效：需同时给出开始和结束时间，且结束晚于开始、不早于现在。",
        "The appointment window is invalid: give both ends, the end after the start and not in the past.",
    ),
    "REPORT_FIELD_REQUIRED": (
        "此类工单的完工报告必须填写 {field}。",
        "This type of report needs {field}.",
    ),
    "UNKNOWN_FAULT_CODE": ("故障代码不在目录中。", "The fault code is not in the catalogue."),
    "CONFIRMATION_NUMBER_TAKEN": (
        "确认单号已被使用。",
        "The confirmation form number is already used.",
    ),
    "RECHARGE_PLAN_MISMATCH": (
        "充值方式与水机的供水方式（{mode}）不符。",
        "The recharge plan does not match the device's supply mode ({mode}).",
    ),
    "SCORE_OUT_OF_RANGE": ("评分必须在 1 到 5 之间。", "The score must be between 1 and 5."),
    "DISSATISFACTION_REQUIRED": (
        "评分较低时请选择不满意原因。",
        "Choose a dissatisfaction category for a low score.",
    ),
    "QUANTITY_OUT_OF_RANGE": ("{field} 必须大于 0。", "{field} must be greater than 0."),
    "AMOUNT_NEGATIVE": ("{field} 不能为负数。", "{field} cannot be negative."),
    # stock
    "INSUFFICIENT_STOCK": (
        "库存不足：现有 {available}，需要 {wanted}。",
        "Not enough stock: {available} available, {wanted} wanted.",
    ),
    "UNKNOWN_PART": ("未知的配件。", "Unknown part."),
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
    # input
    "REQUIRED": ("{field} 为必填项。", "{field} is required."),
    "INVALID_ID": ("ID 无效：{value}", "Not a valid ID: {value}"),
    "INVALID_ARGUMENT": ("{field} 的值无效。", "The value of {field} is not valid."),
    "NOT_FOUND": ("找不到该记录。", "No such record."),
    "INVALID_CURSOR": ("分页游标无效。", "The pagination cursor is not valid."),
    "PAGE_SIZE_OUT_OF_RANGE": (
        "每页数量必须在 1 到 {maximum} 之间。",
        "The page size must be between 1 and {maximum}.",
    ),
    "VALUE_OUT_OF_RANGE": (
        "{field} 须在 {minimum} 到 {maximum} 之间。",
        "{field} must be between {minimum} and {maximum}.",
    ),
    "INVALID_CHARACTER": (
        "{field} 含有不允许的空字符。",
        "{field} contains a character that is not allowed (NUL).",
    ),
    "VARIABLE_INVALID": (
        "变量 {variable} 的值无效：{detail}。",
        "The variable {variable} is invalid: {detail}.",
    ),
    "VALUE_TOO_LONG": (
        "{field} 过长（最多 {maximum} 个字符）。",
        "{field} is too long (at most {maximum} characters).",
    ),
    # transport
    "BAD_REQUEST": ("请求无效：{detail}", "Bad request: {detail}"),
    "GRAPHQL_VALIDATION_FAILED": ("查询无效：{detail}", "Invalid query: {detail}"),
    "PAYLOAD_TOO_LARGE": (
        "请求体过大（上限 {limit} 字节）。",
        "The request body is too large (limit {limit} bytes).",
    ),
    "QUERY_TOO_DEEP": (
        "查询嵌套过深（{depth} 层，上限 {maximum} 层）。",
        "The query is nested too deeply ({depth} levels, at most {maximum}).",
    ),
    "QUERY_TOO_COMPLEX": (
        "查询代价过高（{cost}，上限 {maximum}）。",
        "The query costs too much ({cost}; at most {maximum}).",
    ),
    "TOO_MANY_ALIASES": (
        "查询别名过多（上限 {maximum} 个）。",
        "Too many aliases in the query (at most {maximum}).",
    ),
    "TOO_MANY_TOKENS": ("查询过长。", "The query document is too long."),
    "BATCHING_NOT_SUPPORTED": ("不支持批量请求。", "Batched requests are not supported."),
    "INTROSPECTION_DISABLED": (
        "生产环境已关闭自省查询。",
        "Introspection is disabled in production.",
    ),
    "INTERNAL_ERROR": (
        "服务器内部错误，请稍后重试（请求编号 {request_id}）。",
        "Internal server error; please try again later (request {request_id}).",
    ),
    "NOT_READY": ("服务尚未就绪。", "The service is not ready."),
    # geo-dispatch and routes
    "INVALID_COORDINATES": (
        "坐标无效：纬度须在 -90 到 90 之间，经度须在 -180 到 180 之间。",
        "The coordinates are invalid: latitude must be -90 to 90, longitude -180 to 180.",
    ),
    "INVALID_ACCURACY": (
        "定位精度须在 0 到 {maximum} 米之间。",
        "The accuracy must be between 0 and {maximum} metres.",
    ),
    "LIMIT_OUT_OF_RANGE": ("数量须在 1 到 {maximum} 之间。", "The limit must be 1 to {maximum}."),
    "JOB_WITHOUT_COORDINATES": (
        "该派工单的地址没有坐标，也无法按区县估算，请先补全地址或进行地理编码。",
        "The job's address has no coordinates and no district to estimate them from; "
        "complete or geocode the address first.",
    ),
    "NO_TECHNICIANS": (
        "该分公司没有在职的工程师。",
        "The branch has no active engineers.",
    ),
    "NO_SHIFTS": (
        "该日没有工程师当班（或今日班次已结束）。",
        "No engineer has a shift that day (or today's shifts are over).",
    ),
    "DATE_IN_PAST": ("不能为过去的日期排程。", "A day in the past cannot be planned."),
    "NOTHING_TO_PLAN": (
        "该日没有需要排程的派工单。",
        "There are no jobs to plan on that day.",
    ),
    "PLAN_NOT_PROPOSED": (
        "该路线方案已是 {status} 状态，不能再应用。",
        "The route plan is {status} and cannot be applied again.",
    ),
    "PLAN_OUTDATED": (
        "方案生成后派工单 {job} 已有变化，请重新排程。",
        "Job {job} changed after the plan was made; plan again.",
    ),
    "GEOCODER_NOT_CONFIGURED": (
        "未配置地理编码服务，地址坐标来自客户端或区县中心点。",
        "No geocoder is configured; coordinates come from the client or district centroids.",
    ),
    "GEOCODER_UNAVAILABLE": (
        "地理编码服务暂不可用或超时，地址未作修改，请稍后重试。",
        "The geocoder is unavailable or timed out; the address is unchanged. Try again later.",
    ),
    "ADDRESS_NOT_FOUND": (
        "地理编码服务找不到该地址。",
        "The geocoder could not find this address.",
    ),
    "UNPLACED_NO_COORDINATES": (
        "地址没有坐标，无法排入路线。",
        "The address has no coordinates, so it cannot be routed.",
    ),
    "UNPLACED_NO_SKILLED_TECHNICIAN": (
        "当班工程师中没有人具备此类工单的技能。",
        "No engineer on shift has the skill for this type of job.",
    ),
    "UNPLACED_OUTSIDE_SHIFTS": (
        "预约时间不在任何具备技能的工程师的班次内（含路程）。",
        "The appointment falls outside every skilled engineer's shift (travel included).",
    ),
    "UNPLACED_DAY_FULL": (
        "当日工程师的时间已排满。",
        "The engineers' day is full.",
    ),
    "UNPLACED_APPOINTMENT_PASSED": (
        "预约时间段已过，请与客户重新预约。",
        "The appointment window has passed; agree a new one with the customer.",
    ),
    "UNPLACED_TECHNICIAN_OFF_SHIFT": (
        "已接单的工程师当日不当班。",
        "The engineer who accepted the job is not on shift that day.",
    ),
    # offline sync
    "SYNC_BAD_REQUEST": (
        "同步请求格式不正确。",
        "The sync request is malformed.",
    ),
    "SYNC_CLIENT_REQUIRED": (
        "请在 X-Sync-Client 请求头中提供本机安装编号（8 到 64 位字母、数字、- 或 _）。",
        "Send the app installation's id in the X-Sync-Client header (8-64 letters, digits, - or _).",
    ),
    "SYNC_CLIENT_OF_ANOTHER_USER": (
        "该安装编号已属于另一位用户，请清空本地数据后重新登录。",
        "This installation belongs to another user; clear the local data and sign in again.",
    ),
    "SYNC_IN_PROGRESS": (
        "本机的另一次同步正在进行，请稍后重试。",
        "Another sync of this installation is under way; try again shortly.",
    ),
    "SYNC_UNAVAILABLE": ("同步暂不可用，请稍后重试。", "Sync is unavailable; try again later."),
    "INVALID_SYNC_CURSOR": (
        "lastPulledAt 须为服务器返回的正整数。",
        "lastPulledAt must be the positive integer the server returned.",
    ),
    "LAST_PULLED_AT_REQUIRED": (
        "推送须附带上次拉取返回的 lastPulledAt。",
        "A push needs the lastPulledAt its pull returned.",
    ),
    "UNSUPPORTED_SCHEMA_VERSION": (
        "不支持该数据结构版本，支持的版本：{supported}。",
        "This schema version is not supported; supported versions: {supported}.",
    ),
    "INVALID_MIGRATION": ("migration 参数无效。", "The migration parameter is invalid."),
    "UNKNOWN_TABLE": ("未知的数据表：{table}。", "Unknown table: {table}."),
    "UNKNOWN_COLUMN": (
        "数据表 {table} 没有字段 {column}。",
        "Table {table} has no column {column}.",
    ),
    "INVALID_RECORD_ID": (
        "记录编号须为 1 到 64 位的字母、数字、- 或 _。",
        "A record id must be 1-64 letters, digits, - or _.",
    ),
    "PUSH_TOO_LARGE": (
        "一次推送最多 {maximum} 条记录，请分批同步。",
        "A push holds at most {maximum} records; sync in batches.",
    ),
    "FOREIGN_RECORD": (
        "推送中包含不属于您的派工单（{id}），整个推送已拒绝。",
        "The push names a job that is not yours ({id}); nothing was applied.",
    ),
    "READ_ONLY_TABLE": (
        "{field} 的记录不能在手机上修改。",
        "Records of {field} cannot be changed from the phone.",
    ),
    "READ_ONLY_COLUMN": (
        "字段 {field} 不能在手机上修改。",
        "The column {field} cannot be changed from the phone.",
    ),
    "DELETE_NOT_ALLOWED": (
        "记录不能删除；如需更正，请新建一条。",
        "Records are never deleted; record a correction instead.",
    ),
    "INVALID_VALUE": ("字段 {field} 的值类型或取值无效。", "The value of {field} is invalid."),
    "RECORDED_IN_FUTURE": (
        "记录时间晚于服务器时间，请检查手机时钟。",
        "The recorded time is in the future; check the phone's clock.",
    ),
    # a phone's recorded time, clamped (domain/workflow/clock_rules.py)
    "TIME_CLAMPED_FUTURE": (
        "手机记录的时间晚于服务器时间过多，已按服务器收到的时间记录；请检查手机时钟。",
        "The phone's time was too far ahead of the server's; the time the server received it "
        "was kept. Check the phone's clock.",
    ),
    "TIME_CLAMPED_BEFORE_PREVIOUS": (
        "手机记录的时间早于该派工单的上一步，已按上一步的时间记录。",
        "The phone's time was before the job's previous step; the previous step's time was kept.",
    ),
    "TIME_CLAMPED_TOO_OLD": (
        "手机记录的时间早于允许的补录期限，已按期限最早时间记录；请检查手机时钟。",
        "The phone's time was older than the allowed window; the window's earliest time was "
        "kept. Check the phone's clock.",
    ),
    "ID_TAKEN": (
        "该编号已被另一条记录使用。",
        "This id is already used by another record.",
    ),
    "CHANGED_ON_SERVER": (
        "调度员已在您上次同步后修改了该派工单的预约，以服务器为准。",
        "The dispatcher changed this job's appointment after your last sync; the server's stands.",
    ),
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


def negotiate(accept_language: str | None) -> str:
    """Pick zh-CN or en from an Accept-Language header (zh-CN when nothing matches)."""
    if not accept_language:
        return DEFAULT_LOCALE
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.strip().lower()))
    for _q, _i, tag in sorted(ranked):
        if tag.startswith("zh"):
            return ZH
        if tag.startswith("en"):
            return EN
    return DEFAULT_LOCALE


def message(code: str, locale: str, **params: Any) -> str:
    """The message for a code in a locale; unknown codes fall back to the code itself.

    Raw values of ``status``, ``mode``, ``action``, ``role`` and ``field`` are named in the
    locale's words, so no state name or input path shows in English inside Chinese text.
    """
    zh, en = MESSAGES.get(code, (code, code))
    template = en if locale == EN else zh
    return _fill(template, locale, params)


def detail(key: str, locale: str, **params: Any) -> str:
    """A fragment of a transport message (``wellspring.i18n_terms.DETAILS``)."""
    zh, en = DETAILS.get(key, DETAILS["OTHER"])
    return _fill(en if locale == EN else zh, locale, params)


def _fill(template: str, locale: str, params: dict[str, Any]) -> str:
    named = dict(params)
    index = 0 if locale != EN else 1
    for key in ("status", "mode"):
        if key in named:
            named[key] = term(STATUSES, str(named[key]), index)
    if "role" in named:
        named["role"] = term(ROLES, str(named["role"]), index)
    if "action" in named:
        named["action"] = action_name(str(named["action"]), locale)
    if "field" in named:
        named["field"] = field_name(str(named["field"] or ""), locale)
    try:
        return template.format(**named)
    except (KeyError, IndexError):
        return template
