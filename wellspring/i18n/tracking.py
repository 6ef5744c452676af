"""Messages of customer tracking (issue 17): the links' errors, and the tracking page's words.

``MESSAGES``: code -> (zh-CN, en). ``PAGE``: what the page says, key -> (zh-CN, en)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "LINK_NOT_USABLE": (
        "该链接无效或已失效，请联系客服热线获取新链接。",
        "This link is not valid or no longer works; call the hotline for a new one.",
    ),
    "NOT_YET_RATABLE": ("服务完成后才能评价。", "The visit can be rated once it is done."),
    "ALREADY_RATED": (
        "本次服务已评价，感谢您的反馈。",
        "This visit has been rated already; thank you.",
    ),
    "VISIT_OVER": (
        "本次服务已结束，无法再更改。",
        "This visit is over and can no longer be changed.",
    ),
    "TRACKING_RATE_LIMITED": (
        "请求过于频繁，请 {retry_after} 秒后再试。",
        "Too many requests; try again in {retry_after} seconds.",
    ),
}

PAGE: dict[str, tuple[str, str]] = {
    "title": ("服务进度", "Your visit"),
    "ticket": ("工单", "Ticket"),
    "RECEIVED": ("已受理", "Received"),
    "APPOINTED": ("已预约", "Appointed"),
    "EN_ROUTE": ("工程师在路上", "Engineer on the way"),
    "ON_SITE": ("已到达", "Arrived"),
    "DONE": ("已完成", "Done"),
    "CANCELLED": ("已取消", "Cancelled"),
    "window": ("预约时间", "Appointment"),
    "eta": ("预计到达", "Expected at"),
    "engineer": ("工程师", "Engineer"),
    "hotline": ("客服热线", "Hotline"),
    "map": ("工程师位置", "Engineer's position"),
    "map_hidden": (
        "工程师出发后，这里会显示其大致位置；到达后不再显示。",
        "The engineer's rough position shows here while they are on the way, and not after.",
    ),
    "you": ("您的地址", "Your address"),
    "rate": ("为本次服务评分", "Rate this visit"),
    "score": ("评分（1–5 分）", "Score (1–5)"),
    "comment": ("留言（可选）", "Comment (optional)"),
    "send": ("提交", "Send"),
    "thanks": ("感谢您的评价！", "Thank you for your rating!"),
    "your_score": ("您的评分", "Your score"),
    "reschedule": ("申请改约", "Ask to reschedule"),
    "cancel": ("申请取消", "Ask to cancel"),
    "note": ("说明（可选）", "Note (optional)"),
    "requested": (
        "已收到您的申请，客服将尽快与您联系。",
        "Request received; the hotline will call you.",
    ),
    "updated": ("更新于", "Updated"),
    "live": ("实时更新", "Live"),
    "polling": ("自动刷新中", "Refreshing automatically"),
    "language": ("English", "中文"),
    "refused_title": ("链接不可用", "Link not available"),
    "refused": (
        "该链接无效或已失效。如需查询服务进度，请拨打客服热线。",
        "This link is not valid or no longer works. To ask about your visit, call the hotline.",
    ),
    "slow_down_title": ("请求过于频繁", "Too many requests"),
    "slow_down": ("请求过于频繁，请稍后再试。", "Too many requests; please try again shortly."),
    "retry_in": (
        "本页将在 {seconds} 秒后自动重试。",
        "This page tries again in {seconds} seconds.",
    ),
    "error": ("操作失败，请稍后再试。", "Something went wrong; please try again."),
}
