"""Closed lists a report is checked against: fault codes, repair levels, device conditions."""

from __future__ import annotations

import enum


class RepairLevel(enum.StrEnum):
    """How deep a repair went (维修等级)."""

    LEVEL_1 = "LEVEL_1"  # adjusted on site
    LEVEL_2 = "LEVEL_2"  # parts replaced
    LEVEL_3 = "LEVEL_3"  # machine returned for repair


class DeviceCondition(enum.StrEnum):
    """The state of a machine taken back from a site: restocked as good or as defective."""

    GOOD = "GOOD"
    DEFECTIVE = "DEFECTIVE"


# code: (zh-CN, en)
FAULT_CODES: dict[str, tuple[str, str]] = {
    "E01": ("漏水", "Leak"),
    "E02": ("不出水", "No water"),
    "E03": ("出水慢", "Slow flow"),
    "E04": ("水有异味", "Taste or odour"),
    "E05": ("不通电", "No power"),
    "E06": ("噪音大", "Noisy"),
    "E07": ("显示故障", "Display fault"),
    "E08": ("制热或制冷失效", "Heating or cooling fails"),
    "E09": ("刷卡无反应", "Card not read"),
    "E99": ("其他", "Other"),
}

# level: (zh-CN, en)
REPAIR_LEVELS: dict[str, tuple[str, str]] = {
    RepairLevel.LEVEL_1: ("一级：现场调整", "Level 1: adjusted on site"),
    RepairLevel.LEVEL_2: ("二级：更换配件", "Level 2: parts replaced"),
    RepairLevel.LEVEL_3: ("三级：整机返修", "Level 3: machine returned for repair"),
}

DEVICE_CONDITIONS = frozenset(DeviceCondition)
