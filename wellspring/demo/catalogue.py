"""The device models the demo leases, with their filter stages, and who leases which."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..domain.models.enums import SupplyMode


@dataclass(frozen=True)
class Model:
    code: str
    name: str
    supply_mode: SupplyMode
    list_price: Decimal
    filters: tuple[tuple[str, int], ...]


_PP, _CARBON, _RO, _POST = ("PP棉", 90), ("活性炭", 180), ("RO反渗透膜", 730), ("后置活性炭", 365)
_HOME = (_PP, _CARBON, _RO, _POST)
MODELS = (
    Model("WS-100", "家用净水机", SupplyMode.MONTHLY, Decimal("2980.00"), _HOME),
    Model("WS-200", "家用厨下净水器", SupplyMode.MONTHLY, Decimal("1980.00"), _HOME[:3]),
    Model("WS-300", "商用净水机", SupplyMode.BUCKETS, Decimal("6800.00"), _HOME),
    Model("WS-500", "校园饮水机", SupplyMode.MONTHLY, Decimal("8800.00"), _HOME),
    Model(
        "WS-800", "办公室台式饮水机", SupplyMode.BUCKETS, Decimal("1580.00"), (_PP, _CARBON, _POST)
    ),
)
_WS100, _WS200, _WS300, _WS500, _WS800 = MODELS
# Which machines each kind of customer leases, with cumulative weights.
MODEL_CHOICE: dict[str, tuple[tuple[Model, ...], tuple[int, ...]]] = {
    "person": ((_WS100, _WS200), (55, 100)),
    "company": ((_WS300, _WS800), (50, 100)),
    "school": ((_WS500, _WS300), (80, 100)),
    "office": ((_WS800, _WS300), (60, 100)),
}
