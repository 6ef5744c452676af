"""A custom field's text read as its type, and shown back (domain/custom_fields/values.py)."""

from __future__ import annotations

import pytest

from wellspring.domain.custom_fields.values import parse, shown
from wellspring.domain.errors import DomainError
from wellspring.domain.models import CustomField
from wellspring.domain.models.enums import CustomFieldEntity, CustomFieldType

T = CustomFieldType


def _field(kind: CustomFieldType, options: list[str] | None = None) -> CustomField:
    return CustomField(
        entity=CustomFieldEntity.DEVICE, key="k", type=kind, label_zh="字段", label_en="Field",
        options=options or [],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "raw", "stored", "text"),
    [
        (T.TEXT, "  三楼东侧 ", "三楼东侧", "三楼东侧"),
        (T.NUMBER, "12", 12, "12"),
        (T.NUMBER, "12.50", 12.5, "12.5"),
        (T.DATE, "2026-12-03", "2026-12-03", "2026-12-03"),
        (T.BOOLEAN, "是", True, "true"),
        (T.BOOLEAN, "FALSE", False, "false"),
        (T.CHOICE, "门店", "门店", "门店"),
    ],
)
def test_values_are_read_as_their_type(
    kind: CustomFieldType, raw: str, stored: object, text: str
) -> None:
    value = parse(_field(kind, ["热线", "门店"]), raw, path="custom_fields")
    assert value == stored
    assert type(value) is type(stored)
    assert shown(value) == text


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (T.NUMBER, "十二"),
        (T.NUMBER, "NaN"),
        (T.NUMBER, "1e20"),
        (T.DATE, "2026-13-01"),
        (T.BOOLEAN, "maybe"),
        (T.CHOICE, "网店"),
        (T.TEXT, "长" * 501),
    ],
)
def test_values_outside_their_type_are_refused(kind: CustomFieldType, raw: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse(_field(kind, ["门店"]), raw, path="custom_fields")
    assert refused.value.code in {"CUSTOM_FIELD_INVALID_VALUE", "VALUE_TOO_LONG"}
    assert refused.value.field == "custom_fields"


def test_nothing_shows_as_null() -> None:
    assert shown(None) is None
