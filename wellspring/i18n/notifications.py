"""Messages of notifications: the inbox and push errors, and one template per event kind.

A template is (zh-CN, en) pairs of (title, body); placeholders use str.format names filled by
:func:`render` from the event's data (times shown in Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

MESSAGES: dict[str, tuple[str, str]] = {
    "NOTHING_TO_MARK": ("请给出要标为已读的消息，或选择全部。", "Give the items to mark, or all."),
    "PUSH_TOKEN_INVALID": ("推送令牌无效。", "The push token is not valid."),
    "INVALID_LOCALE": (
        "{value} 不是有效的语言代码。",
        "{value} is not a locale; send one such as zh-CN or en-US.",
    ),
}

Pair = tuple[str, str]
# What the customer reads where the engineer's text differs (the same event tells both).
CUSTOMER_TEMPLATES: dict[str, tuple[Pair, Pair]] = {
    "JOB_ASSIGNED": (
        # Sent to the customer only with a window (notifications/routing.py).
        ("上门服务已预约", "您的工单 {ticket_number} 已预约上门，时间 {window}。"),
        (
            "Visit appointed",
            "Your visit for ticket {ticket_number} is booked for {window}.",
        ),
    ),
    "JOB_RESCHEDULED": (
        ("上门时间已更改", "您的工单 {ticket_number} 的上门时间改为 {window}。"),
        (
            "Visit rescheduled",
            "Your visit for ticket {ticket_number} is now {window}.",
        ),
    ),
}
TEMPLATES: dict[str, tuple[Pair, Pair]] = {
    "JOB_ASSIGNED": (
        ("新派工单 {number}", "派工单 {number} 已派给您{window_zh}。"),
        ("New job {number}", "Job {number} is yours{window_en}."),
    ),
    "JOB_RESCHEDULED": (
        ("派工单 {number} 改约", "派工单 {number} 的预约时间改为 {window}。"),
        ("Job {number} rescheduled", "Job {number} is now {window}."),
    ),
    "JOB_REASSIGNED_AWAY": (
        ("派工单 {number} 已改派", "派工单 {number} 已改派给其他工程师，无需上门。"),
        ("Job {number} reassigned", "Job {number} went to another engineer; no visit needed."),
    ),
    "JOB_CANCELLED": (
        ("派工单 {number} 已取消", "派工单 {number} 已取消，无需上门。"),
        ("Job {number} cancelled", "Job {number} was cancelled; no visit needed."),
    ),
    "ENGINEER_EN_ROUTE": (
        ("工程师已出发", "工程师正在前往您处，预计 {eta} 到达。"),
        (
            "Your engineer is on the way",
            "Your engineer is on the way, expected at {eta}.",
        ),
    ),
    "ENGINEER_ARRIVED": (
        ("工程师已到达", "工程师已到达您处（工单 {ticket_number}）。"),
        ("Your engineer has arrived", "Your engineer has arrived (ticket {ticket_number})."),
    ),
    "JOB_COMPLETED": (
        ("服务已完成", "工单 {ticket_number} 的服务已完成，欢迎为本次服务评分。"),
        ("Visit done", "The visit for ticket {ticket_number} is done; please rate it."),
    ),
    "FOLLOW_UP_DUE": (
        ("待回访", "工单 {number} 已到回访时间。"),
        ("Follow-up due", "Ticket {number} is due for its follow-up call."),
    ),
    "LOW_SCORE": (
        ("回访低分", "工单 {number} 回访评分 {score} 分，已转投诉工单 {complaint_number}。"),
        ("Low score", "Ticket {number} scored {score}; complaint {complaint_number} opened."),
    ),
    "RECHARGE_PAID": (
        ("客户已冲水", "{customer_name}（{address}）已冲水 {quantity}，付款方式：{payment_zh}。"),
        (
            "Recharge paid",
            "{customer_name} ({address}) recharged {quantity}, paid {payment_en}.",
        ),
    ),
    "SUPPLY_EXPIRING": (
        (
            "供水即将到期",
            "您的水机 {serial_number} 供水将于 {days_left} 天后（{expires_on}）到期。",
        ),
        (
            "Water plan ending",
            "The water plan of {serial_number} ends in {days_left} days ({expires_on}).",
        ),
    ),
    "BUCKETS_LOW": (
        ("水量不足", "您的水机 {serial_number} 仅剩 {buckets} 桶水，请及时冲水。"),
        ("Water running low", "{serial_number} has {buckets} buckets of water left."),
    ),
    "RECHARGE_LAPSED": (
        (
            "供水到期未续",
            "水机 {serial_number} 的供水已于 {expired_on} 到期，尚未冲水，请回访客户。",
        ),
        (
            "Water plan not renewed",
            "The water plan of {serial_number} ended on {expired_on}; call the customer.",
        ),
    ),
    "FILTER_DUE": (
        ("滤芯待更换", "您的水机 {serial_number} 的{filter}将于 {due_on} 到期更换。"),
        ("Filter due", "The {filter} of {serial_number} is due for change on {due_on}."),
    ),
    "STOCK_BELOW_SAFETY": (
        ("库存低于安全库存", "{warehouse}：{part} 仅余 {quantity}（安全库存 {safety_stock}）。"),
        (
            "Stock below safety level",
            "{warehouse}: {part} is at {quantity} (safety stock {safety_stock}).",
        ),
    ),
    "STOCK_DISCREPANCY_OPENED": (
        ("配件差异", "派工单 {number} 的配件用量超出车载库存 {quantity_short} 件，待核对。"),
        (
            "Parts discrepancy",
            "Job {number} used {quantity_short} more parts than the van held; to check.",
        ),
    ),
    "EVIDENCE_OVERDUE": (
        ("照片未上传", "派工单 {number} 的现场照片尚未上传。"),
        ("Photos overdue", "The site photos of job {number} are not uploaded yet."),
    ),
    "TICKET_OVERDUE": (
        ("工单超时", "工单 {number} 已超过服务时限（{due}），仍未完成。"),
        ("Ticket overdue", "Ticket {number} is past its service deadline ({due})."),
    ),
}

_PAYMENT: dict[str, Pair] = {
    "ON_SITE": ("现场付款", "on site"),
    "POSTAL": ("邮政汇款", "by postal remittance"),
    "CARD": ("银行卡", "by bank card"),
    "ONLINE": ("在线支付", "online"),
}


def _local(value: Any, fmt: str) -> str:
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(str(value))
    return moment.astimezone(SHANGHAI).strftime(fmt)


def _params(data: Mapping[str, Any]) -> dict[str, Any]:
    start, end = data.get("appointment_start"), data.get("appointment_end")
    window = f"{_local(start, '%m-%d %H:%M')}–{_local(end, '%H:%M')}" if start else ""
    payment = _PAYMENT.get(str(data.get("payment_method")), ("", ""))
    return {
        "number": "",
        "ticket_number": data.get("number", ""),
        **data,
        "window": window,
        "window_zh": f"，预约 {window}" if window else "",
        "window_en": f", appointed {window}" if window else "",
        "eta": _local(data.get("eta"), "%H:%M") or "—",
        "due": _local(data.get("due_at"), "%m-%d %H:%M"),
        "payment_zh": payment[0],
        "payment_en": payment[1],
    }


# How a customer's message ends with its tracking link: the page of the visit, where a done
# visit is rated. Added when the message is sent (notifications/links.py), so no stored text
# holds the link.
LINK_WORDS: dict[str, Pair] = {"JOB_COMPLETED": ("去评分：{url}", " Rate it here: {url}")}
FOLLOW_WORDS: Pair = ("查看进度：{url}", " Follow it: {url}")


def link_text(kind: str, url: str, locale: str) -> str:
    """The sentence a customer's text of ``kind`` ends with when it carries ``url``."""
    zh, en = LINK_WORDS.get(kind, FOLLOW_WORDS)
    return (en if locale == "en" else zh).format(url=url) if url else ""


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""  # a missing value leaves a gap, never an error or an English key


def render(
    kind: str, data: Mapping[str, Any], locale: str, *, for_customer: bool = False
) -> tuple[str, str]:
    """The (title, body) of an event kind in ``locale`` (zh-CN unless it is ``en``), in the
    customer's words when ``for_customer`` and the kind has them."""
    pairs = (CUSTOMER_TEMPLATES.get(kind) if for_customer else None) or TEMPLATES.get(kind)
    if pairs is None:
        return ("通知", "") if locale != "en" else ("Notification", "")
    title, body = pairs[1] if locale == "en" else pairs[0]
    params = _Blank(_params(data))
    body = body.format_map(params)
    if for_customer and data.get("tracking_url"):  # an inbox item stored with its link
        body += link_text(kind, str(data["tracking_url"]), locale)
    return title.format_map(params), body


SMS_KEYS = (
    "number",
    "ticket_number",
    "eta",
    "window",
    "serial_number",
    "days_left",
    "expires_on",
    "filter",
    "due_on",
    "tracking_url",
)


def sms_params(data: Mapping[str, Any]) -> dict[str, str]:
    """The short values an SMS template's variables take (times in Asia/Shanghai)."""
    params = _params(data)
    return {k: str(params[k]) for k in SMS_KEYS if params.get(k) not in (None, "", "—")}
