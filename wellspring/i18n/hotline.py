"""Messages of the hotline's tools (domain/hotline). Code: (zh-CN, en)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "CALL_TIME_OUT_OF_RANGE": (
        "来电时间无效（须带时区，且不早于 30 天前、不晚于当前时间）：{value}",
        "Not a valid call time (with a time zone, within the last 30 days, not ahead): {value}",
    ),
    "CALL_ALREADY_CLOSED": (
        "该呼损来电已回拨接通或已关闭。",
        "This missed call was already returned or closed.",
    ),
    "ARTICLE_NEEDS_TITLE": (
        "知识库文章至少需要一个标题（中文或英文）。",
        "An article needs a title in at least one language.",
    ),
    # call backs assigned to a hotline agent (issue 18)
    "CALLBACK_ASSIGNEE_INVALID": (
        "只能把回拨分配给在职的热线坐席。",
        "A call back can only be assigned to an active hotline agent.",
    ),
}
