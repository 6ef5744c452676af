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
