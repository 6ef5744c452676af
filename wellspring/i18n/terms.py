"""The words inside messages: names of states, actions and input fields, and the reasons
graphql-core gives, in Simplified Chinese and English.

``wellspring.i18n.message`` puts these in place of the raw values a code carries
(``status=COMPLETED``, ``action=complete``, ``field=lines.0.quantity``), so no English state
name, action or field path shows inside a Chinese message.
"""

from __future__ import annotations

import re

from wellspring.digits import is_digits
from wellspring.i18n.field_labels import FIELDS_ZH

# Every status of tickets, jobs, movements, devices, follow-ups and route plans.
STATUSES: dict[str, tuple[str, str]] = {
    "CREATED": ("已创建", "created"),
    "APPROVED": ("已审核", "approved"),
    "DISPATCHED": ("已派单", "dispatched"),
    "PENDING": ("待派工", "pending"),
    "ASSIGNED": ("已派工", "assigned"),
    "APPOINTED": ("已预约", "appointed"),
    "ACCEPTED": ("已接单", "accepted"),
    "EN_ROUTE": ("在途", "en route"),
    "ON_SITE": ("已到场", "on site"),
    "COMPLETED": ("已完工", "completed"),
    "FOLLOW_UP_DUE": ("待回访", "waiting for the follow-up"),
    "CLOSED": ("已关闭", "closed"),
    "REJECTED": ("已驳回", "rejected"),
    "CANCELLED": ("已取消", "cancelled"),
    "FAILED": ("未完成", "failed"),
    "DONE": ("已完成", "done"),
    "DUE": ("待处理", "due"),
    "IN_TRANSIT": ("在途", "in transit"),
    "REPORTED": ("已报损待审", "reported"),
    "REPLACEMENT_SHIPPED": ("已补发", "replacement shipped"),
    "IN_STOCK": ("在库", "in stock"),
    "INSTALLED": ("已安装", "installed"),
    "UNINSTALLED": ("已拆机", "uninstalled"),
    "WRITTEN_OFF": ("已报废", "written off"),
    "PROPOSED": ("待应用", "proposed"),
    "APPLIED": ("已应用", "applied"),
    "SUPERSEDED": ("已被取代", "superseded"),
    "MONTHLY": ("包月", "monthly"),
    # agents' orders, settlements, uploads, cards, imports, articles, missed calls
    "SUBMITTED": ("已提交", "submitted"),
    "CONFIRMED": ("已确认", "confirmed"),
    "SHIPPED": ("已发货", "shipped"),
    "DRAFT": ("草稿", "draft"),
    "PAID": ("已付款", "paid"),
    "PENDING_UPLOAD": ("待上传", "waiting for the upload"),
    "VERIFIED": ("已校验", "verified"),
    "EXPIRED": ("已过期", "expired"),
    "ACTIVE": ("已激活", "active"),
    "AWAITING_ACTIVATION": ("待激活", "awaiting activation"),
    "VALIDATING": ("校验中", "validating"),
    "RUNNING": ("导入中", "running"),
    "INTERRUPTED": ("已中断", "interrupted"),
    "PUBLISHED": ("已发布", "published"),
    "RETIRED": ("已下线", "retired"),
    "OPEN": ("未处理", "open"),
    "RESOLVED": ("已处理", "resolved"),
    "RETURNED": ("已回拨", "returned"),
    "COMPLETE": ("已齐全", "complete"),
    "LEASED": ("处理中", "leased"),
    "DEAD": ("已放弃", "dead"),
    "BUCKETS": ("按桶", "buckets"),
    "": ("无", "none"),
    "None": ("已删除", "deleted"),
}

# Every action a state machine checks (``DomainError("INVALID_TRANSITION", action=...)``).
ACTIONS: dict[str, tuple[str, str]] = {
    "approve": ("审核", "approve"),
    "reject": ("驳回", "reject"),
    "dispatch": ("派单", "dispatch"),
    "assign": ("派工", "assign"),
    "cancel": ("取消", "cancel"),
    "follow_up": ("回访", "follow up"),
    "route": ("转派", "route"),
    "resolve": ("直接办结", "resolve"),
    "accept": ("接单", "accept"),
    "start_travel": ("出发", "start travel"),
    "arrive": ("到场", "arrive"),
    "complete": ("完工", "complete"),
    "fail": ("报告未完成", "report failure"),
    "receive": ("收货", "receive"),
    "decide": ("审批报损", "decide"),
    "consume": ("领用配件", "consume parts"),
    "check": ("验收旧件", "check old parts"),
    "confirm": ("确认补发", "confirm replacement"),
    "water_test": ("记录水质检测", "record a water test"),
    "reschedule": ("改约", "reschedule"),
}

ROLES: dict[str, tuple[str, str]] = {
    "ADMIN": ("管理员", "admin"),
    "HQ": ("总部", "HQ"),
    "HOTLINE": ("热线", "hotline"),
    "CLERK": ("内勤", "clerk"),
    "SALES": ("销售", "sales"),
    "TECHNICIAN": ("工程师", "engineer"),
    "AGENT": ("代理商", "agent"),
    "CUSTOMER": ("客户", "customer"),
}

# graphql-core's reasons (see wellspring.api.graphql_messages); names are the client's own.
DETAILS: dict[str, tuple[str, str]] = {
    "AT": ("（第 {line} 行第 {column} 列）", " (line {line}, column {column})"),
    "UNKNOWN_FIELD": ("类型 {type} 上没有字段 {name}", "type {type} has no field {name}"),
    "UNKNOWN_ARGUMENT": ("{target} 不接受参数 {name}", "{target} takes no argument {name}"),
    "MISSING_ARG": ("缺少必填参数 {name}", "the required argument {name} is missing"),
    "MISSING_INPUT_FIELD": ("缺少必填字段 {name}", "the required field {name} is missing"),
    "UNKNOWN_INPUT_FIELD": ("{type} 中没有字段 {name}", "{type} has no field {name}"),
    "UNKNOWN_ENUM_VALUE": ("取值不在 {type} 的可选范围内", "the value is not one of {type}"),
    "INT_OUT_OF_RANGE": ("整数超出范围", "the integer is out of range"),
    "WRONG_TYPE": ("值的类型应为 {type}", "the value should be of type {type}"),
    "INVALID_DATETIME": (
        "时间格式无效，应形如 2026-12-01 08:00:00+08:00",
        "not an ISO-8601 date-time",
    ),
    "INVALID_DATE": ("日期格式无效，应形如 2026-12-01", "not a YYYY-MM-DD date"),
    "INVALID_DECIMAL": ("不是有效的数字", "not a decimal number"),
    "DATE_OUT_OF_RANGE": ("日期超出允许范围", "the date is out of the allowed range"),
    "MISSING_VARIABLE": ("缺少必填变量 {name}", "the required variable {name} is missing"),
    "UNDEFINED_VARIABLE": ("变量 {name} 未声明", "the variable {name} is not declared"),
    "UNUSED_VARIABLE": ("变量 {name} 未被使用", "the variable {name} is never used"),
    "VARIABLE_POSITION": ("变量 {name} 的类型与用处不符", "the variable {name} has the wrong type"),
    "UNKNOWN_TYPE": ("未知类型 {type}", "unknown type {type}"),
    "UNKNOWN_FRAGMENT": ("未定义片段 {name}", "the fragment {name} is not defined"),
    "UNUSED_FRAGMENT": ("片段 {name} 未被使用", "the fragment {name} is never used"),
    "FRAGMENT_CYCLE": ("片段 {name} 引用了自身", "the fragment {name} spreads itself"),
    "NEEDS_SELECTION": ("字段 {name} 需要选择子字段", "the field {name} needs a selection"),
    "NO_SELECTION": ("字段 {name} 没有子字段可选", "the field {name} has no subfields"),
    "DUPLICATE": ("名称重复", "a name is used twice"),
    "FIELD_CONFLICT": ("同名字段的参数或类型互相冲突", "fields of one name conflict"),
    "SYNTAX": ("语法错误", "syntax error"),
    "OTHER": ("不符合接口定义", "it does not match the schema"),
    "TOO_MANY_ERRORS": (
        "错误过多，报告 {count} 个后已停止检查",
        "too many errors, checking stopped after {count}",
    ),
    # bad requests
    "BODY_NOT_JSON": ("请求体不是 JSON", "the body is not JSON"),
    "QUERY_NOT_STRING": ("query 须为字符串", "`query` must be a string"),
    "VARIABLES_NOT_OBJECT": ("variables 须为对象", "`variables` must be an object"),
    "OPERATION_NAME_NOT_STRING": ("operationName 须为字符串", "`operationName` must be a string"),
    "OPERATION_NOT_FOUND": (
        "operationName 不存在或不唯一",
        "the operationName is unknown or ambiguous",
    ),
    "TOO_DEEP": ("JSON 嵌套超过 {maximum} 层", "the JSON nests more than {maximum} levels"),
    "ONE_SUBSCRIPTION": (
        "每条消息只能包含一个订阅操作，不能是查询或变更",
        "only one subscription operation per message",
    ),
    "NEEDS_WEBSOCKET": ("订阅须通过 WebSocket 连接", "subscriptions need the WebSocket"),
}

# Why a customer was not satisfied (a follow-up's category), as a report's column names it.
DISSATISFACTION: dict[str, tuple[str, str]] = {
    "MISSED_CALL": ("电话未接通", "missed call"),
    "SLOW_REPAIR": ("维修慢", "slow repair"),
    "INCOMPLETE_REPAIR": ("未修好", "repair incomplete"),
    "ATTITUDE": ("服务态度", "attitude"),
    "PRODUCT_FAULT": ("产品故障", "product fault"),
    "PRICE": ("价格", "price"),
    "OTHER": ("其他", "other"),
}

# What the system itself writes in a status history: stored as ``@CODE`` or
# ``@CODE:value`` and shown in the reader's language.
REASONS: dict[str, tuple[str, str]] = {
    "OPENED_FROM": ("由工单 {value} 转开", "opened from {value}"),
    "REASSIGNED": ("改派", "reassigned"),
    "AGREED": ("工程师与客户约定时间", "time agreed by the engineer with the customer"),
    "SHIFT_OVERRULED": ("不按班次指派（已确认）", "assigned outside the shift on purpose"),
    "REASSIGNED_OVERRULED": (
        "改派，不按班次（已确认）",
        "reassigned outside the shift on purpose",
    ),
    # a customer's ask to move or cancel a visit, ended with the visit (visit_requests.py)
    "VISIT_ENDED": ("工单 {value} 的上门已结束，申请无需再办", "visit {value} is over"),
}


def term(table: dict[str, tuple[str, str]], value: str, index: int) -> str:
    """A raw value's name (index 0: zh-CN, 1: en), or the value itself when unnamed."""
    return table[value][index] if value in table else value


def action_name(action: str, locale: str) -> str:
    """``complete`` → 完工; a state-machine edge ``A->B`` → 从「A」到「B」."""
    index = 1 if locale == "en" else 0
    if "->" in action:
        source, _, target = action.partition("->")
        a, b = term(STATUSES, source, index), term(STATUSES, target, index)
        return f"从「{a}」到「{b}」" if index == 0 else f"from {a} to {b}"
    return term(ACTIONS, action, index)


def field_name(path: str, locale: str) -> str:
    """An input path in words: ``lines.0.quantity`` → 明细第1项的数量 in zh-CN.

    English keeps the path as the client wrote it. A path with a segment the table does not
    know is named generically in Chinese rather than shown in English.
    """
    if locale == "en" or not path:
        return path or ("the value" if locale == "en" else "该值")
    words: list[str] = []
    for segment in path.split("."):
        if is_digits(segment):
            if not words:
                return "该值"
            words[-1] += f"第{int(segment) + 1}项"
        elif _camel(segment) in FIELDS_ZH:
            words.append(FIELDS_ZH[_camel(segment)])
        else:
            return "该字段"
    return "的".join(words)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


_SYSTEM_REASON = re.compile(r"^@([A-Z_]+)(?::(.*))?$", re.DOTALL)
# Histories written before reasons were stored as codes.
_LEGACY_REASONS = (
    (re.compile(r"^opened from (\S+)$"), "OPENED_FROM"),
    (re.compile(r"^reassigned$"), "REASSIGNED"),
)


def history_reason(text: str, locale: str) -> str:
    """A stored history reason for a reader: system codes in the locale, people's words as is."""
    found = _SYSTEM_REASON.match(text)
    code, value = (found.group(1), found.group(2) or "") if found else ("", "")
    if not found:
        for pattern, legacy in _LEGACY_REASONS:
            legacy_match = pattern.match(text)
            if legacy_match:
                code = legacy
                value = legacy_match.group(1) if legacy_match.groups() else ""
    if code not in REASONS:
        return text
    zh, en = REASONS[code]
    return (en if locale == "en" else zh).format(value=value)
