"""Messages of custom fields (issue 18 §4). Code: (zh-CN, en); placeholders use str.format names."""

MESSAGES: dict[str, tuple[str, str]] = {
    "CUSTOM_FIELD_INVALID_KEY": (
        "字段键只能由小写字母、数字和下划线组成，以字母开头，最多 40 个字符。",
        "A field key is lower-case letters, digits and underscores, starting with a letter, "
        "at most 40 characters.",
    ),
    "CUSTOM_FIELD_TYPE_LOCKED": (
        "字段类型定义后不能更改（已存的值依赖它），请另建一个字段。",
        "A field's type cannot change once defined (stored values depend on it): define "
        "another field.",
    ),
    "CUSTOM_FIELD_OPTIONS_INVALID": (
        "单选字段需要 1 到 {maximum} 个互不相同的非空选项（每个最多 50 个字符）。",
        "A choice field needs 1 to {maximum} distinct, non-empty options (50 characters each "
        "at most).",
    ),
    "CUSTOM_FIELD_UNKNOWN": (
        "没有启用中的自定义字段 {key}。",
        "There is no active custom field {key}.",
    ),
    "CUSTOM_FIELD_INVALID_VALUE": (
        "自定义字段 {key} 的值不符合字段类型或选项。",
        "The value of the custom field {key} does not fit its type or options.",
    ),
    "CUSTOM_FIELD_REQUIRED": (
        "必须填写自定义字段“{label_zh}”。",
        "The custom field \u201c{label_en}\u201d is required.",
    ),
    # filled on site: by the phone and in completion reports (issue 18)
    "CUSTOM_FIELD_NOT_ON_SITE": (
        "自定义字段 {key} 不是现场填写的字段，工程师不能在现场填写（客户字段不能设为现场填写）。",
        "The custom field {key} is not filled on site: an engineer cannot set it (and a "
        "customer's field cannot be filled on site).",
    ),
    "CUSTOM_FIELD_ON_SITE_MISSING": (
        "完工前必须在现场填写自定义字段“{label_zh}”（共缺 {count} 项）。",
        "The on-site custom field “{label_en}” must be filled before the job is "
        "completed ({count} missing).",
    ),
}
