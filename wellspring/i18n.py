"""Every message a person reads, in Simplified Chinese and English, keyed by its error code.

Codes are stable identifiers clients switch on; messages may change wording freely.
"""

from __future__ import annotations

from typing import Any

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
    "CURSOR_AHEAD": (
        "lastPulledAt 晚于服务器当前版本，服务器数据已被恢复或更换：请清空本机数据后重新同步。",
        "lastPulledAt is ahead of the server (its data was restored or replaced): clear the "
        "local database and sync again from the start.",
    ),
    "SYNC_TOO_DEEP": (
        "同步请求的嵌套层级过深（最多 {maximum} 层）。",
        "The sync request nests too deeply (at most {maximum} levels).",
    ),
    "NUMBER_TOO_LARGE": (
        "同步请求中的整数超出 64 位范围。",
        "An integer in the sync request does not fit in 64 bits.",
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
    "INVALID_VALUE": (
        "记录中有一个字段的值类型不对或超出范围。",
        "The value of {field} has the wrong type or is out of range.",
    ),
    "RECORDED_IN_FUTURE": (
        "记录时间晚于服务器时间，请检查手机时钟。",
        "The recorded time is in the future; check the phone's clock.",
    ),
    "ID_TAKEN": (
        "该编号已被另一条记录使用。",
        "This id is already used by another record.",
    ),
    "CHANGED_ON_SERVER": (
        "调度员已在您上次同步后修改了该派工单的预约，以服务器为准。",
        "The dispatcher changed this job's appointment after your last sync; the server's stands.",
    ),
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
    """The message for a code in a locale; unknown codes fall back to the code itself."""
    zh, en = MESSAGES.get(code, (code, code))
    template = en if locale == EN else zh
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
