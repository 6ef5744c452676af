"""Messages of bulk import and export. Code: (zh-CN, en); placeholders use str.format names.

Row messages name no column: the report shows the line and the column beside them.
"""

# A required column in IMPORT_MISSING_COLUMNS, as a Chinese header the import reads
# (``domain/imports/columns.py`` CHINESE_HEADERS); English keeps the field's own name.
COLUMNS_ZH: dict[str, str] = {
    "name": "名称",
    "phone": "手机号",
    "province": "省",
    "city": "市",
    "district": "区县",
    "serial": "机身号",
    "model": "型号",
    "customer_phone": "客户手机号",
    "card_number": "开户卡号",
    "warehouse": "仓库",
    "sku": "配件编号",
    "quantity": "数量",
    "username": "用户名",
    "branch": "分公司",
}

MESSAGES: dict[str, tuple[str, str]] = {
    # the file as a whole
    "IMPORT_UNREADABLE_FILE": (
        "无法读取文件：请上传 CSV（UTF-8 或 GB18030 编码）或 XLSX 文件。",
        "The file cannot be read: give a CSV (UTF-8 or GB18030) or an XLSX file.",
    ),
    "IMPORT_EMPTY_FILE": ("文件没有表头行或数据行。", "The file has no header row or no rows."),
    "IMPORT_FILE_TOO_LARGE": (
        "文件过大（最大 {maximum} 字节）。",
        "The file is too large (at most {maximum} bytes).",
    ),
    "IMPORT_UNPACKED_TOO_LARGE": (
        "XLSX 文件解压后过大（最多 {maximum} MiB），请拆分文件或另存为 CSV。",
        "The XLSX file is too large once unpacked (at most {maximum} MiB); split it or save "
        "it as CSV.",
    ),
    "IMPORT_TOO_MANY_ROWS": (
        "行数过多（最多 {maximum} 行），请拆分文件。",
        "Too many rows (at most {maximum}); split the file.",
    ),
    "IMPORT_TOO_MANY_COLUMNS": (
        "列数过多（最多 {maximum} 列）。",
        "Too many columns (at most {maximum}).",
    ),
    "IMPORT_MISSING_COLUMNS": (
        "缺少必需的列：{columns}。可用列映射指定文件中的表头。",
        "Required columns are missing: {columns}. A column map can name the file's headers.",
    ),
    "IMPORT_UNKNOWN_FIELD": (
        "列映射指向未知字段：{value}",
        "The column map names an unknown field: {value}",
    ),
    "IMPORT_INVALID_COLUMN_MAP": (
        "列映射格式无效：应为“文件表头 → 字段名”的对照。",
        "Not a valid column map: give pairs of file header and field name.",
    ),
    "IMPORT_INVALID_CONTENT": (
        "文件内容不是有效的 Base64 编码。",
        "The file content is not valid base64.",
    ),
    # one row
    "IMPORT_REQUIRED": ("必填项为空。", "This value is required."),
    "IMPORT_TOO_LONG": ("内容过长（最多 {maximum} 个字符）。", "Too long (at most {maximum})."),
    "IMPORT_INVALID_PHONE": (
        "电话号码格式不正确：{value}（手机号 11 位，座机须带区号）。",
        "Not a phone number: {value} (a mobile has 11 digits, a landline its area code).",
    ),
    "IMPORT_INVALID_DATE": (
        "日期格式不正确：{value}（如 2026-12-03）。",
        "Not a date: {value} (write it as 2026-12-03).",
    ),
    "IMPORT_INVALID_TIME": (
        "时间格式不正确：{value}（如 08:30）。",
        "Not a time: {value} (08:30).",
    ),
    "IMPORT_INVALID_NUMBER": ("数值格式不正确：{value}", "Not a valid number: {value}"),
    "IMPORT_AMOUNT_PRECISION": (
        "金额最多两位小数（精确到分）：{value}",
        "An amount has at most two decimals (whole fen): {value}",
    ),
    "IMPORT_NUMBER_OUT_OF_RANGE": (
        "数值须在 {minimum} 到 {maximum} 之间。",
        "The number must be between {minimum} and {maximum}.",
    ),
    "IMPORT_INVALID_CHOICE": ("不是可选的值：{value}", "Not one of the allowed values: {value}"),
    "IMPORT_INVALID_USERNAME": (
        "用户名只能包含字母、数字和 . _ @ -，长度 3 到 64：{value}",
        "A username holds 3 to 64 letters, digits or . _ @ -: {value}",
    ),
    "IMPORT_UNKNOWN_CITY": (
        "未知城市：{value}。可选城市：{valid}",
        "Unknown city: {value}. Known cities: {valid}",
    ),
    "IMPORT_UNKNOWN_DISTRICT": (
        "该城市没有此区县：{value}。可选区县：{valid}",
        "The city has no district {value}. Its districts: {valid}",
    ),
    "IMPORT_UNKNOWN_BRANCH": ("未知分公司编号：{value}", "Unknown branch code: {value}"),
    "IMPORT_BRANCH_REQUIRED": (
        "未指定分公司：请填写分公司列，或导入时指定分公司。",
        "No branch: fill the branch column or give a branch for the whole import.",
    ),
    "IMPORT_UNKNOWN_AGENT": ("未知代理商编号：{value}", "Unknown dealer code: {value}"),
    "IMPORT_UNKNOWN_WAREHOUSE": ("未知仓库编号：{value}", "Unknown warehouse code: {value}"),
    "IMPORT_UNKNOWN_MODEL": ("未知机型：{value}", "Unknown device model: {value}"),
    "IMPORT_UNKNOWN_PART": ("未知配件编号：{value}", "Unknown part SKU: {value}"),
    "IMPORT_UNSUPPORTED_CONTENT_TYPE": (
        "导入文件的类型只能是逗号分隔值文件或新版电子表格。",
        "An import file must be CSV (text/csv) or XLSX.",
    ),
    "IMPORT_INVALID_SHA256": (
        "校验值应为 64 位十六进制字符。",
        "The SHA-256 must be 64 hexadecimal characters.",
    ),
    "IMPORT_STORE_UNAVAILABLE": (
        "文件存储未配置，请改为直接提交文件内容。",
        "No file store is configured: send the file's content instead.",
    ),
    "IMPORT_UPLOAD_NOT_FOUND": (
        "上传的文件尚未到达存储，请上传后重试。",
        "The uploaded file has not reached the store yet: upload it, then try again.",
    ),
    "IMPORT_UPLOAD_MISMATCH": (
        "存储中的文件与申请上传时声明的大小、类型或校验值不一致，或上传已过期，请重新上传。",
        "The stored file does not match its declared size, type or checksum, or came too "
        "late: upload it again.",
    ),
    "IMPORT_UNKNOWN_BIN_LOCATION": (
        "货位 {value} 不是该仓库启用中的货位。",
        "The bin location {value} is not an active bin of the warehouse.",
    ),
    "IMPORT_UNKNOWN_CUSTOMER": (
        "找不到手机号为 {value} 的客户（请先导入客户）。",
        "No customer has the phone {value} (import the customers first).",
    ),
    "IMPORT_AMBIGUOUS_CUSTOMER": (
        "手机号 {value} 对应多个客户，请填写客户姓名。",
        "Several customers have the phone {value}: give the customer's name.",
    ),
    "IMPORT_DUPLICATE_IN_FILE": (
        "与文件第 {first_line} 行重复。",
        "Repeats line {first_line} of the file.",
    ),
    "IMPORT_DUPLICATE_IN_DB": (
        "{value} 已存在，且属于其他客户。",
        "{value} already exists, for another customer.",
    ),
    "IMPORT_CARD_ALREADY_BOUND": (
        "开户卡 {value} 已绑定其他水机。",
        "The account card {value} is already bound to another device.",
    ),
    # export
    "EXPORT_UNKNOWN_LIST": ("没有可导出的列表：{value}", "No such list to export: {value}"),
    "EXPORT_INVALID_FILTER": (
        "筛选条件无效：{value}",
        "Not a valid filter: {value}",
    ),
    "EXPORT_RANGE_INVERTED": (
        "筛选条件 to（结束日期）不能早于 from（开始日期）。",
        "The filter to (the end date) cannot be before from (the start date).",
    ),
}

# Export column headers: key -> (zh-CN, en).
HEADERS: dict[str, tuple[str, str]] = {
    "number": ("编号", "Number"),
    "type": ("类型", "Type"),
    "status": ("状态", "Status"),
    "priority": ("优先级", "Priority"),
    "customer": ("客户", "Customer"),
    "phone": ("电话", "Phone"),
    "branch": ("分公司", "Branch"),
    "created_at": ("创建时间", "Created"),
    "due_at": ("到期时间", "Due"),
    "completed_at": ("完成时间", "Completed"),
    "ticket": ("工单号", "Ticket"),
    "technician": ("工程师", "Engineer"),
    "appointment_start": ("预约开始", "Appointment from"),
    "appointment_end": ("预约结束", "Appointment to"),
    "code": ("客户编号", "Code"),
    "name": ("名称", "Name"),
    "kind": ("客户类型", "Kind"),
    "serial": ("机身号", "Serial number"),
    "model": ("机型", "Model"),
    "opened_on": ("开户日期", "Opened on"),
    "supply_expires_on": ("供水到期日", "Supply expires on"),
    "bucket_balance": ("剩余桶数", "Buckets left"),
    "warehouse": ("仓库", "Warehouse"),
    "sku": ("配件编号", "SKU"),
    "part": ("配件名称", "Part"),
    "bin": ("库区", "Bin"),
    "quantity": ("数量", "Quantity"),
    "safety_stock": ("安全库存", "Safety stock"),
    "location": ("货位", "Location"),
    "quantity_short": ("短缺数量", "Quantity short"),
    # outlet settlements (issue 18)
    "outlet": ("服务网点", "Service outlet"),
    "month": ("月份", "Month"),
    "job_count": ("完工单数", "Jobs completed"),
    "jobs_amount": ("服务费", "Service fees"),
    "parts_amount": ("配件扣款", "Parts charged"),
    "adjustments_amount": ("调整金额", "Adjustments"),
    "total": ("结算金额", "Total"),
    "job": ("派工单号", "Job"),
    "received_at": ("接收时间", "Received"),
}


def header(key: str, locale: str) -> str:
    zh, en = HEADERS.get(key, (key, key))
    return en if locale == "en" else zh
