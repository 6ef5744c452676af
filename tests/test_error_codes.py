"""Error codes per area, proven from the code (read as syntax trees, nothing is run).

- every code a module raises belongs to its area's enum, the common one, or an area it is
  declared to call into (``CALLS_INTO``);
- every code a GraphQL area's mutations can reach (its modules and every domain module they
  import, transitively) is a value of the error type its payloads use;
- transport codes (``wellspring.api``, the sync protocol) and domain codes are apart, and the
  catalogue in ``wellspring.i18n`` names every one of them.
"""

from __future__ import annotations

import ast
import enum
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import graphene

from wellspring.api.error_codes import TransportErrorCode
from wellspring.domain.agents.error_codes import DealerErrorCode
from wellspring.domain.custom_fields.error_codes import CustomFieldErrorCode
from wellspring.domain.dispatch.error_codes import DispatchErrorCode
from wellspring.domain.error_codes import AuthErrorCode, CommonErrorCode
from wellspring.domain.hotline.error_codes import HotlineErrorCode
from wellspring.domain.imports.error_codes import ImportErrorCode
from wellspring.domain.inventory.error_codes import StockErrorCode
from wellspring.domain.masterdata.error_codes import MasterdataErrorCode
from wellspring.domain.media.error_codes import MediaErrorCode
from wellspring.domain.notifications.error_codes import NotificationErrorCode
from wellspring.domain.outlets.error_codes import OutletErrorCode
from wellspring.domain.reports.error_codes import ReportErrorCode
from wellspring.domain.sync.error_codes import SyncErrorCode
from wellspring.domain.tracking.error_codes import TrackingErrorCode
from wellspring.domain.workflow.error_codes import WorkflowErrorCode
from wellspring.i18n import MESSAGES
from wellspring.mobile_sync.error_codes import SyncProtocolErrorCode
from wellspring.schema.core import errors as payload_errors

PACKAGE = Path(__file__).resolve().parent.parent / "wellspring"
AREAS: dict[str, type[enum.StrEnum]] = {
    "common": CommonErrorCode,
    "auth": AuthErrorCode,
    "workflow": WorkflowErrorCode,
    "stock": StockErrorCode,
    "dispatch": DispatchErrorCode,
    "masterdata": MasterdataErrorCode,
    "sync": SyncErrorCode,
    "media": MediaErrorCode,
    "imports": ImportErrorCode,
    "notifications": NotificationErrorCode,
    "custom_fields": CustomFieldErrorCode,
    "tracking": TrackingErrorCode,
    "dealers": DealerErrorCode,
    "outlets": OutletErrorCode,
    "hotline": HotlineErrorCode,
    "reports": ReportErrorCode,
}
# An area's rules may raise the codes of the areas they call into, and only those.
CALLS_INTO: dict[str, tuple[str, ...]] = {
    # a ticket's details and a visit's report check machines and parts against the stock;
    # fieldwork applies the records a phone pushes
    "workflow": ("stock", "sync", "media", "dispatch", "custom_fields", "dealers"),
    # HQ defines custom fields with the master data (issue 18 §4)
    "masterdata": ("custom_fields",),
    "stock": ("custom_fields",),
    # a customer's rating is the follow-up's score; a request opens a ticket
    "tracking": ("workflow", "stock", "sync", "media", "dispatch"),
    # shipping an agent's order takes from an HQ warehouse (issue 18)
    "dealers": ("stock",),
    # an outlet's code, name and amounts are checked as master data is (masterdata/fields.py)
    "outlets": ("masterdata",),
    # the maintenance planner opens tickets through the desk's own rules
    "reports": ("workflow",),
}
# Module (dotted, prefix) -> area; the longest prefix wins, anything else is "common".
AREA_OF: dict[str, str] = {
    "wellspring.domain.auth": "auth",
    "wellspring.domain.login_throttle": "auth",
    "wellspring.domain.passwords": "auth",
    "wellspring.domain.users": "masterdata",
    "wellspring.domain.water": "workflow",
    "wellspring.domain.workflow": "workflow",
    "wellspring.domain.inventory": "stock",
    "wellspring.domain.dispatch": "dispatch",
    "wellspring.domain.masterdata": "masterdata",
    "wellspring.domain.sync": "sync",
    "wellspring.domain.media": "media",
    "wellspring.domain.imports": "imports",
    "wellspring.domain.notifications": "notifications",
    "wellspring.domain.exports": "imports",
    "wellspring.domain.reports": "reports",
    "wellspring.mobile_sync": "sync",
    "wellspring.domain.custom_fields": "custom_fields",
    "wellspring.domain.tracking": "tracking",
    "wellspring.domain.agents": "dealers",
    "wellspring.domain.outlets": "outlets",
    "wellspring.domain.hotline": "hotline",
    "wellspring.domain.customer_profile": "workflow",
    "wellspring.domain.customer_owner": "workflow",
}
# Codes a message exists for that are no error: why a job stayed out of a route plan, and
# a phone's time that was corrected rather than refused.
NOTICES = re.compile(r"^(UNPLACED_|TIME_CLAMPED_)")
# The raises whose code is a variable: one of a fixed set of sync codes.
VARIABLE_CODES = {
    "wellspring.mobile_sync.push": set(SyncErrorCode),
    "wellspring.mobile_sync.incoming": set(SyncErrorCode),
    "wellspring.domain.sync.rules": set(SyncErrorCode),  # READ_ONLY_COLUMN or READ_ONLY_TABLE
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        dotted = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[dotted.removesuffix(".__init__")] = path
    return found


MODULES = _modules()
ENUMS_BY_NAME: dict[str, type[enum.StrEnum]] = {e.__name__: e for e in AREAS.values()}
ENUMS_BY_NAME["TransportErrorCode"] = TransportErrorCode


@cache
def _tree(module: str) -> ast.Module:
    return ast.parse(MODULES[module].read_text(encoding="utf-8"))


def _calls(module: str, name: str) -> Iterator[ast.Call]:
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called == name:
                yield node


@cache
def raised(module: str) -> frozenset[str]:
    """The codes of every ``DomainError(...)`` the module constructs."""
    codes: set[str] = set()
    for call in _calls(module, "DomainError"):
        code = call.args[0] if call.args else None
        if isinstance(code, ast.Constant) and isinstance(code.value, str):
            codes.add(code.value)
        elif (
            isinstance(code, ast.Attribute)
            and isinstance(code.value, ast.Name)
            and code.value.id in ENUMS_BY_NAME
        ):
            codes.add(ENUMS_BY_NAME[code.value.id][code.attr].value)
        elif module in VARIABLE_CODES:
            codes |= {c.value for c in VARIABLE_CODES[module]}
        else:
            raise AssertionError(f"{module}:{call.lineno}: a code this test cannot read")
    return frozenset(codes)


def area_of(module: str) -> str:
    prefixes = [p for p in AREA_OF if module == p or module.startswith(p + ".")]
    return AREA_OF[max(prefixes, key=len)] if prefixes else "common"


def _imports(module: str) -> set[str]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.add(target if target in MODULES else base)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found & MODULES.keys()


def reach(start: list[str], within: tuple[str, ...]) -> set[str]:
    """``start`` and every module under ``within`` it imports, transitively."""
    seen: set[str] = set()
    todo = list(start)
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += [m for m in _imports(module) if m.startswith(within)]
    return seen


def test_every_module_raises_codes_of_its_area() -> None:
    checked = 0
    for module in sorted(MODULES):
        codes = raised(module)
        if not codes or not module.startswith(("wellspring.domain", "wellspring.mobile_sync")):
            continue
        area = area_of(module)
        allowed = {c.value for a in ("common", area, *CALLS_INTO.get(area, ())) for c in AREAS[a]}
        assert codes <= allowed, f"{module} ({area}) raises {sorted(codes - allowed)}"
        checked += 1
    assert checked > 30


def test_every_payload_error_type_carries_what_its_mutations_raise() -> None:
    core = [m for m in MODULES if m.startswith("wellspring.schema.core")]
    core_codes = set().union(*(raised(m) for m in core))
    assert "INVALID_ID" in core_codes
    areas = {m.split(".")[2] for m in MODULES if m.count(".") >= 3 and ".schema." in m}
    checked = 0
    for area in sorted(areas - {"core"}):
        own = [m for m in MODULES if m.startswith(f"wellspring.schema.{area}.")]
        types = {
            call.args[0].id
            for m in own
            for call in _calls(m, "errors_field")
            if call.args and isinstance(call.args[0], ast.Name)
        }
        if not types:
            continue
        modules = reach(own, (f"wellspring.schema.{area}", "wellspring.domain"))
        codes = core_codes.union(*(raised(m) for m in modules))
        for name in types:
            error_type: type[graphene.ObjectType] = getattr(payload_errors, name)
            code_enum = error_type._meta.fields["code"].type.of_type
            carried = {member.name for member in code_enum._meta.enum}
            assert codes <= carried, f"{area}'s {name} lacks {sorted(codes - carried)}"
            checked += 1
    assert checked >= 5


def test_transport_codes_and_domain_codes_are_apart_and_all_have_messages() -> None:
    domain = [code for area in AREAS.values() for code in area]
    assert len(domain) == len(set(domain)), "a code is in two areas"
    transport = set(TransportErrorCode) | set(SyncProtocolErrorCode)
    assert not transport & set(domain)
    for code in (*domain, *transport):
        assert code in MESSAGES, code
    notices = {code for code in MESSAGES if NOTICES.match(code)}
    assert notices
    assert set(MESSAGES) == set(domain) | transport | notices
    # What the transports answer with: their own codes, or a domain error's.
    api = "\n".join(p.read_text() for m, p in MODULES.items() if m.startswith("wellspring.api"))
    sent = set(re.findall(r'"code": "([A-Z_]+)"|\("([A-Z_]{4,})"', api))
    assert {a or b for a, b in sent} - {"OTHER"} <= set(TransportErrorCode) | set(domain)
    protocol = {
        call.args[1].value
        for m in MODULES
        if m.startswith("wellspring.mobile_sync")
        for call in _calls(m, "SyncError")
        if len(call.args) > 1 and isinstance(call.args[1], ast.Constant)
    }
    assert protocol
    assert protocol <= set(SyncProtocolErrorCode)


def test_domain_fields_map_to_the_api_paths_clients_know() -> None:
    """Snake_case in the domain, the client's path at the boundary (the domain names a reading
    as clients send it, never by its attribute: ``residual_chlorine``, not ``..._mg_l``)."""
    api_field = payload_errors.api_field
    assert api_field("install.card_number") == "install.cardNumber"
    assert api_field("lines.0.part_id") == "lines.0.partId"
    assert api_field("report.water_test.residual_chlorine") == ("report.waterTest.residualChlorine")
    assert api_field("branchId") == "branchId"  # an API path stays as it is
    assert api_field(None) is None
    # No field the domain names is camelCase, and none is a GraphQL path.
    camel = re.compile(r"[a-z][A-Z]")
    named = [
        keyword.value.value
        for module in MODULES
        if module.startswith("wellspring.domain")
        for call in _calls(module, "DomainError")
        for keyword in call.keywords
        if keyword.arg == "field" and isinstance(keyword.value, ast.Constant)
    ]
    parameters = _field_parameters()  # once, and each module walked once: both are slow
    for module in MODULES:
        if not module.startswith("wellspring.domain"):
            continue
        for node in ast.walk(_tree(module)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            index = parameters.get(str(called))
            if index is not None:
                args = node.args[index : index + 1]
                named += [arg.value for arg in args if isinstance(arg, ast.Constant)]
    assert len(named) > 150
    assert [name for name in named if camel.search(str(name))] == []


def _field_parameters() -> dict[str, int]:
    """Domain functions that take the name of the field at fault as a positional argument."""
    found = {}
    for module in MODULES:
        if module.startswith("wellspring.domain"):
            for node in ast.walk(_tree(module)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    names = [a.arg for a in node.args.posonlyargs + node.args.args]
                    for wanted in ("field", "field_name"):
                        if wanted in names and node.name != "__init__":
                            found[node.name] = names.index(wanted)
    assert len(found) > 5
    return found


def test_the_domain_writes_no_camel_case_keys() -> None:
    """Dicts the domain builds (stored JSON, answers) use its own snake_case names.

    ``field_visibility`` is the exception by nature: it lists the GraphQL fields each role sees.
    """
    camel = re.compile(r"^[a-z]+[A-Z]")
    keys = [
        (module, key.value)
        for module in MODULES
        if module.startswith("wellspring.domain") and module != "wellspring.domain.field_visibility"
        for node in ast.walk(_tree(module))
        if isinstance(node, ast.Dict)
        for key in node.keys
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    ]
    assert len(keys) > 50
    assert [(module, key) for module, key in keys if camel.match(key)] == []
