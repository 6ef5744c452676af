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
    # input
    "REQUIRED": ("{field} 为必填项。", "{field} is required."),
    "INVALID_ID": ("ID 无效：{value}", "Not a valid ID: {value}"),
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
