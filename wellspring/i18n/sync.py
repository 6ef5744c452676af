"""Messages of the phones' offline sync, and of a phone's recorded time when clamped. Code: (zh-CN, en); placeholders use str.format names."""

MESSAGES: dict[str, tuple[str, str]] = {
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
    "SYNC_COLLIDED": (
        "同步时服务器上正好有人修改了同一批工单，本次同步未生效，请重试。",
        "Someone changed the same jobs on the server at that moment; nothing was applied, "
        "try again.",
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
    "READ_ONLY_TABLE": (  # field: the table, a protocol name the Chinese text leaves out
        "这类记录不能在手机上修改。",
        "Records of {field} cannot be changed from the phone.",
    ),
    "READ_ONLY_COLUMN": (
        "{field} 不能在手机上修改。",
        "The column {field} cannot be changed from the phone.",
    ),
    "DELETE_NOT_ALLOWED": (
        "记录不能删除；如需更正，请新建一条。",
        "Records are never deleted; record a correction instead.",
    ),
    "INVALID_VALUE": (
        "{field} 的值类型不对或超出范围。",
        "The value of {field} has the wrong type or is out of range.",
    ),
    "RECORDED_IN_FUTURE": (
        "记录时间晚于服务器时间，请检查手机时钟。",
        "The recorded time is in the future; check the phone's clock.",
    ),
    "RECORDED_TOO_EARLY": (
        "记录时间早于 2000 年，手机时钟有误；该记录无法接收。",
        "The recorded time is before 2000: the phone's clock was wrong, and the record cannot "
        "be taken.",
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
}
