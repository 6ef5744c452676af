"""What columns each kind of import reads, and how a file's headers map onto them.

A legacy export is read as it is: a header is matched by its field name (``phone``), by the
built-in Chinese headers old systems use (手机号, 客户姓名 ...), or by the caller's column map
(file header -> field), which wins over both. Headers matching no field are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import DomainError
from ..models.enums import ImportKind

_ADDRESS = ("province", "city", "district", "street", "community", "building", "room")

FIELDS: Mapping[ImportKind, tuple[str, ...]] = {
    ImportKind.CUSTOMERS: ("name", "phone", "kind", "branch", "agent", *_ADDRESS, "note"),
    ImportKind.DEVICES: (
        "serial",
        "model",
        "customer_phone",
        "customer_name",
        "card_number",
        "card_secret",
        "contract_number",
        "opened_on",
        "supply_expires_on",
        "bucket_balance",
        "agent",
        *_ADDRESS,
    ),
    ImportKind.CARDS: ("card_number", "card_secret", "warehouse"),
    ImportKind.PARTS: ("sku", "name", "unit", "cost", "list_price", "compatible_models"),
    ImportKind.STOCK: ("warehouse", "sku", "quantity", "bin", "location"),
    ImportKind.ENGINEERS: (
        "username",
        "name",
        "phone",
        "branch",
        "skills",
        "shift_start",
        "shift_end",
        "work_days",
    ),
}

REQUIRED: Mapping[ImportKind, tuple[str, ...]] = {
    ImportKind.CUSTOMERS: ("name", "phone", "province", "city", "district"),
    ImportKind.DEVICES: ("serial", "model", "customer_phone"),
    ImportKind.CARDS: ("card_number", "warehouse"),
    ImportKind.PARTS: ("sku", "name"),
    ImportKind.STOCK: ("warehouse", "sku", "quantity"),
    ImportKind.ENGINEERS: ("username", "name", "branch"),
}

# Headers of the hotline, ERP and stock systems' exports, and of hand-made sheets.
CHINESE_HEADERS: Mapping[str, str] = {
    "客户姓名": "name",
    "客户名称": "name",
    "姓名": "name",
    "名称": "name",
    "手机号": "phone",
    "手机号码": "phone",
    "联系电话": "phone",
    "电话": "phone",
    "客户类型": "kind",
    "分公司": "branch",
    "所属分公司": "branch",
    "机构编号": "branch",
    "代理商": "agent",
    "代理商编号": "agent",
    "所属代理商": "agent",
    "省": "province",
    "省份": "province",
    "市": "city",
    "城市": "city",
    "区": "district",
    "区县": "district",
    "县区": "district",
    "街道": "street",
    "小区": "community",
    "社区": "community",
    "楼栋": "building",
    "楼号": "building",
    "房号": "room",
    "门牌号": "room",
    "备注": "note",
    "机身号": "serial",
    "机器编号": "serial",
    "序列号": "serial",
    "型号": "model",
    "机型": "model",
    "客户手机号": "customer_phone",
    "客户电话": "customer_phone",
    "卡号": "card_number",
    "开户卡号": "card_number",
    "卡密码": "card_secret",
    "合同号": "contract_number",
    "开户日期": "opened_on",
    "安装日期": "opened_on",
    "供水到期日": "supply_expires_on",
    "到期日期": "supply_expires_on",
    "剩余桶数": "bucket_balance",
    "桶数余额": "bucket_balance",
    "仓库": "warehouse",
    "仓库编号": "warehouse",
    "配件编号": "sku",
    "物料编号": "sku",
    "配件名称": "name",
    "单位": "unit",
    "成本价": "cost",
    "销售价": "list_price",
    "适用机型": "compatible_models",
    "数量": "quantity",
    "库存数量": "quantity",
    "库位": "location",
    "货位": "location",
    "库区": "bin",
    "用户名": "username",
    "工程师姓名": "name",
    "技能": "skills",
    "上班时间": "shift_start",
    "下班时间": "shift_end",
    "工作日": "work_days",
}

# Device sheets name the customer with the customer's own headers.
_BY_KIND: Mapping[ImportKind, Mapping[str, str]] = {
    ImportKind.DEVICES: {
        "客户姓名": "customer_name",
        "客户名称": "customer_name",
        "姓名": "customer_name",
        "手机号": "customer_phone",
        "手机号码": "customer_phone",
        "联系电话": "customer_phone",
        "name": "customer_name",
        "phone": "customer_phone",
    },
}

MAX_COLUMNS = 200


@dataclass(frozen=True)
class HeaderMap:
    """Field name -> position in the row."""

    positions: Mapping[str, int]

    def pick(self, cells: Sequence[str]) -> dict[str, str]:
        """The row's fields, trimmed; a short row reads as blanks."""
        return {
            name: (cells[i].strip() if i < len(cells) and cells[i] is not None else "")
            for name, i in self.positions.items()
        }


def _key(text: str) -> str:
    return text.strip().lstrip("\ufeff").strip().lower().replace(" ", "_")


def map_headers(
    kind: ImportKind,
    headers: Sequence[str],
    column_map: Mapping[str, str] | None = None,
    custom: Mapping[str, str] | None = None,
) -> HeaderMap:
    """Where each field of ``kind`` is in the file; a required field missing is an error.
    ``custom``: headers of HQ's custom fields (``imports/custom.py``) and the field each fills."""
    if len(headers) > MAX_COLUMNS:
        raise DomainError("IMPORT_TOO_MANY_COLUMNS", field="file", maximum=MAX_COLUMNS)
    extra = dict(custom or {})
    fields = (*FIELDS[kind], *extra.values())
    given = {_key(k): v.strip() for k, v in (column_map or {}).items()}
    for target in given.values():
        if target not in fields:
            raise DomainError("IMPORT_UNKNOWN_FIELD", field="column_map", value=target[:64])
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = _key(str(header or ""))
        name = (
            given.get(key)
            or (key if key in fields else None)
            or _BY_KIND.get(kind, {}).get(key)
            or CHINESE_HEADERS.get(key)
            or extra.get(key)
        )
        if name in fields and name not in positions:
            positions[name] = index
    missing = [f for f in REQUIRED[kind] if f not in positions]
    if missing:
        raise DomainError("IMPORT_MISSING_COLUMNS", field="file", columns=", ".join(missing))
    return HeaderMap(positions)
