"""Messages of the reports and their exports. Code: (zh-CN, en); placeholders use str.format
names."""

MESSAGES: dict[str, tuple[str, str]] = {
    "REPORT_RANGE_INVERTED": (
        "结束日期不能早于开始日期。",
        "The end date cannot be before the start date.",
    ),
    "REPORT_RANGE_TOO_LONG": (
        "报表的日期范围最多 {maximum} 天。",
        "A report covers at most {maximum} days.",
    ),
    "REPORT_UNKNOWN": ("没有这个报表：{value}。", "There is no such report: {value}."),
}
