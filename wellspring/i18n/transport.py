"""Messages about a request's input and its transport (limits, malformed requests). Code: (zh-CN, en); placeholders use str.format names."""

MESSAGES: dict[str, tuple[str, str]] = {
    # input
    "REQUIRED": ("{field} 为必填项。", "{field} is required."),
    "INVALID_ID": ("编号无效：{value}", "Not a valid ID: {value}"),
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
        "{field} 含有不允许的字符（空字符或不成对的代理字符）。",
        "{field} contains a character that is not allowed (NUL or an unpaired surrogate).",
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
    "SUBSCRIPTION_OVER_HTTP": (
        "订阅须通过 WebSocket 连接 /graphql（graphql-transport-ws 协议）。",
        "Subscriptions run over a WebSocket to /graphql (the graphql-transport-ws protocol).",
    ),
    "TOO_MANY_SUBSCRIPTIONS": (
        "此连接上的订阅过多（最多同时 {maximum} 个），请先结束不用的订阅。",
        "Too many subscriptions on this connection (at most {maximum} at once); complete "
        "those you no longer need.",
    ),
    "INTROSPECTION_DISABLED": (
        "生产环境已关闭自省查询。",
        "Introspection is disabled in production.",
    ),
    "INTERNAL_ERROR": (
        "服务器内部错误，请稍后重试（请求编号 {request_id}）。",
        "Internal server error; please try again later (request {request_id}).",
    ),
    "NOT_READY": ("服务尚未就绪。", "The service is not ready."),
    "SERVICE_BUSY": (
        "服务繁忙，请在 {retry_after} 秒后重试。",
        "The service is busy; please try again in {retry_after} seconds.",
    ),
    "WEBHOOK_DISABLED": (
        "未配置电话系统回调密钥，此接口未开放。",
        "No shared secret is set for the telephony webhook; it is closed.",
    ),
    "WEBHOOK_SIGNATURE_INVALID": (
        "签名缺失、无效或时间戳超出允许范围。",
        "The signature is missing or wrong, or its timestamp is outside the replay window.",
    ),
}
