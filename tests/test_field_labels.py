"""Every field a client can send, and every path the code names in an error, has Chinese
words: a Chinese message says which field is wrong, never the generic 该字段."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import GraphQLInputObjectType, GraphQLObjectType

from wellspring.i18n import message
from wellspring.i18n.terms import field_name
from wellspring.schema import build_schema

SOURCE = Path(__file__).resolve().parents[1] / "wellspring"
# field="a.b" and field=f"lines.{i}.quantity" as the code writes them
NAMED = re.compile(r'\bfield=f?"([^"]+)"')
LATIN = re.compile(r"[A-Za-z]")
# Words Chinese users write in Latin letters themselves.
KEPT = re.compile(r"ID|TDS|pH")


def _sendable_names() -> dict[str, str]:
    """Every input field and argument name, with one place it is used."""
    schema = build_schema().graphql_schema
    names: dict[str, str] = {}
    for type_name, kind in schema.type_map.items():
        if type_name.startswith("__"):
            continue
        if isinstance(kind, GraphQLInputObjectType):
            for name in kind.fields:
                names.setdefault(name, type_name)
        elif isinstance(kind, GraphQLObjectType):
            for field, value in kind.fields.items():
                for name in value.args:
                    names.setdefault(name, f"{type_name}.{field}")
    return names


def _unnamed(path: str) -> bool:
    words = field_name(path, "zh-CN")
    return words in ("该字段", "该值") or LATIN.search(KEPT.sub("", words)) is not None


def test_every_input_field_and_argument_has_chinese_words() -> None:
    names = _sendable_names()
    assert len(names) > 200  # the whole schema, not a corner of it
    missing = sorted(f"{name} ({where})" for name, where in names.items() if _unnamed(name))
    assert missing == [], f"add them to wellspring/i18n/field_labels.py: {missing}"


def test_every_path_the_code_names_in_an_error_has_chinese_words() -> None:
    paths: set[str] = set()
    for source in SOURCE.rglob("*.py"):
        for path in NAMED.findall(source.read_text(encoding="utf-8")):
            # a placeholder stands for a list index ({i}) or a path built elsewhere ({field})
            paths.add(".".join(p for p in re.sub(r"\{[^}]*\}", "0", path).split(".") if p))
    assert len(paths) > 40
    missing = sorted(p for p in paths if p and not p.startswith("0") and _unnamed(p))
    assert missing == [], f"add their segments to wellspring/i18n/field_labels.py: {missing}"


def test_a_nested_path_reads_as_chinese_and_english_keeps_the_clients_path() -> None:
    assert field_name("newCustomer.address.street", "zh-CN") == "新客户的地址的街道"
    assert field_name("lines.1.part_id", "zh-CN") == "明细第2项的配件"
    assert message("REQUIRED", "zh-CN", field="orderBy").startswith("排序方式")
    assert field_name("newCustomer.address.street", "en") == "newCustomer.address.street"
    # a segment nobody named (a custom field's own key) stays generic, never English
    assert field_name("customFields.purifier_colour", "zh-CN") == "该字段"
