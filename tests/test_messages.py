"""Every error code the code can raise has its message in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from wellspring.i18n import EN, MESSAGES, ZH, message

SOURCE = Path(__file__).resolve().parents[1] / "wellspring"
RAISED = re.compile(r'DomainError\(\s*"([A-Z_]+)"')
GRAPHQL = re.compile(
    r'gql_error\(\s*"([A-Z_]+)"|_error_response\(\s*\d+,\s*"([A-Z_]+)"'
    r'|SyncError\(\s*\d+,\s*"([A-Z_]+)"'
)


def _codes() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found.update(RAISED.findall(text))
        for pair in GRAPHQL.findall(text):
            found.update(code for code in pair if code)
    return found


def test_every_raised_code_has_a_chinese_and_an_english_message() -> None:
    codes = _codes()
    assert len(codes) > 30
    missing = sorted(code for code in codes if code not in MESSAGES)
    assert missing == []
    for code in codes:
        zh, en = MESSAGES[code]
        assert zh != en, code
        assert re.search(r"[\u4e00-\u9fff]", zh), f"{code}: no Chinese in the zh-CN message"


def test_messages_fill_their_placeholders() -> None:
    text = message("INSUFFICIENT_STOCK", EN, available=2, wanted=5)
    assert text == "Not enough stock: 2 available, 5 wanted."
    assert message("INSUFFICIENT_STOCK", ZH, available=2, wanted=5) == "库存不足：现有 2，需要 5。"


def test_every_unplaced_reason_has_its_message() -> None:
    from wellspring.domain.dispatch.route_results import SOLVER_REASONS, UNPLACED_REASONS

    assert set(SOLVER_REASONS.values()) <= set(UNPLACED_REASONS)
    for reason in UNPLACED_REASONS:
        assert f"UNPLACED_{reason}" in MESSAGES, reason


def test_every_status_a_message_can_name_is_named_in_chinese() -> None:
    """``status=order.status.value`` of any state enum reads in words, not as ``SHIPPED``."""
    import enum

    from wellspring.domain.models import enums, partner_enums
    from wellspring.i18n.terms import STATUSES

    states = [
        kind
        for module in (enums, partner_enums)
        for name, kind in vars(module).items()
        if name.endswith("Status") and isinstance(kind, type) and issubclass(kind, enum.Enum)
    ]
    assert len(states) > 10
    unnamed = sorted(
        f"{kind.__name__}.{s.value}" for kind in states for s in kind if s.value not in STATUSES
    )
    assert unnamed == []
    text = message("AGENT_ORDER_NOT_OPEN", ZH, status="SUBMITTED")
    assert "已提交" in text
    assert "SUBMITTED" not in text


LATIN = re.compile(r"[A-Za-z]")


def test_enum_values_and_input_names_a_message_echoes_read_in_chinese() -> None:
    """``value_code`` / ``value_field`` fill ``{value}`` in words: 金额无效（报修）."""
    from wellspring.domain.models.enums import TicketType

    for kind in TicketType:
        text = message("INVALID_RATE", ZH, field="rate_card", value_code=kind.value)
        assert not LATIN.search(text), text
        assert kind.value in message("INVALID_RATE", EN, field="rate_card", value_code=kind)
    for name in ("amount", "credit_limit"):
        text = message("INVALID_RATE", ZH, field=name, value_field=name)
        assert not LATIN.search(text), text
    filters = set()
    for path in (SOURCE / "domain" / "exports").rglob("*.py"):
        filters.update(re.findall(r'\.(?:text|flag|date|enums)\(\s*"([a-z_]+)"', path.read_text()))
    assert {"warehouse", "technician", "outlet", "from"} <= filters
    for name in sorted(filters):
        text = message("EXPORT_INVALID_FILTER", ZH, field=name, value_field=name)
        assert not LATIN.search(text), (name, text)
        assert "该字段" not in text, (name, text)


def test_no_raise_site_echoes_an_english_word_as_the_value() -> None:
    """A literal word in ``value=`` is an input name or code; it goes in ``value_field``."""
    literal = re.compile(r'(?:Error|_error|fail)\([^()]*?\bvalue="[A-Za-z_]+"')
    found = [
        f"{path.relative_to(SOURCE)}: {hit}"
        for path in SOURCE.rglob("*.py")
        for hit in literal.findall(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_missing_import_column_is_named_by_a_chinese_header_the_import_reads() -> None:
    from wellspring.domain.imports.columns import CHINESE_HEADERS, REQUIRED
    from wellspring.i18n.imports import COLUMNS_ZH

    for kind, required in REQUIRED.items():
        text = message("IMPORT_MISSING_COLUMNS", ZH, columns=", ".join(required))
        assert not LATIN.search(text), (kind, text)
        for name in required:
            assert CHINESE_HEADERS.get(COLUMNS_ZH[name]) == name, name
    en = message("IMPORT_MISSING_COLUMNS", EN, columns="serial, model")
    assert "serial, model" in en
