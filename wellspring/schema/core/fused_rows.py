"""A row and its objects answered in one go (issue 19 §3), for the short path of
``plain_fields.py``.

On a page, each edge is six objects (the edge, its ticket, the ticket's branch, customer,
device and the device's model), and the short path answers each through a chain of calls
that carry a path and graphql-core's error handling. When a selection's plan has a program
(``selection_plans.py``: every field a quick leaf or an object the short path reads), the
row is answered here instead, with no path and no error handling: the first thing that is
not plain (a null where a value must be, an error, a relation not yet loaded, a value that
does not serialize) abandons the whole row, and the caller answers it again the ordinary
way, which records the error where graphql-core would. Nothing here records anything or
starts a load, so answering a row twice is safe.

A program is turned into a Python function once per plan (plans are kept across requests,
``shared_plans.py``): one straight run of statements per field, with the field's attribute
and response names as literals, instead of a loop that unpacks each step and branches on
its kind at every field of every row (a quarter of a Tickets page's GraphQL time went
there). The names are GraphQL names and attribute names, written with ``repr``; every other
part of a step (serializers, plans, models) is passed in by reference, never as source.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from graphene.types.definitions import GrapheneEnumType
from graphql.pyutils import Undefined
from graphql.type.scalars import serialize_boolean, serialize_id, serialize_string

from .list_values import SKIP, leaves
from .selection_plans import (
    ATTRIBUTE,
    COMPUTED,
    FUSED_DIRECT,
    FUSED_LEAVES,
    FUSED_LINKED,
    INDEX,
    Plan,
)

ABANDONED: Any = object()  # the row is answered the ordinary way
_MISSING: Any = object()
_NOTHING: dict[str, Any] = {}
_MAPPED: dict[type, bool] = {}
# Serializers that answer a value of exactly this type with the value itself.
_IDENTITY = {serialize_string: str, serialize_boolean: bool, serialize_id: str}

Runner = Callable[[Any, Any], dict[str, Any]]


class _Abandon(Exception):
    """Raised inside a row's answer: not plain, answer it the ordinary way."""


def answer_row(context: Any, plan: Plan, row: Any) -> Any:
    """``row`` answered by ``plan``'s program, or ``ABANDONED``. ``context`` is the execution
    context (``plain_fields.ShortPathContext``)."""
    try:
        return runner(plan)(context, row)
    except Exception:
        return ABANDONED


def runner(plan: Plan) -> Runner:
    """The function of ``plan``'s program, made at its first row."""
    made: Runner | None = plan.run
    if made is None:
        if plan.program is None:
            raise _Abandon
        made = plan.run = _compile(plan)
    return made


def _mapped(row_type: type) -> bool:
    """Whether SQLAlchemy maps ``row_type`` (its loaded columns are in __dict__)."""
    mapped = _MAPPED[row_type] = hasattr(row_type, "_sa_class_manager")
    return mapped


def _item(context: Any, run: Runner, model: Any, item: Any) -> dict[str, Any]:
    """An object of a list: a row the type accepts (with no model, anything but a null, an
    error or an awaitable)."""
    if model is not None:
        if not isinstance(item, model):
            raise _Abandon
    elif item is None or isinstance(item, Exception) or context.is_awaitable(item):
        raise _Abandon
    return run(context, item)


def _read(row: Any, what: Any, request: Any) -> Any:
    if isinstance(what, str):
        return getattr(row, what, None)
    if isinstance(what, int):
        return row[what]
    return what.compute(row, request)


def _compile(plan: Plan) -> Runner:
    names: dict[str, Any] = {
        "Abandon": _Abandon,
        "MISSING": _MISSING,
        "Undefined": Undefined,
        "SKIP": SKIP,
        "leaves": leaves,
        "MAPPED": _MAPPED,
        "mapped_of": _mapped,
        "NOTHING": _NOTHING,
        "item_of": _item,
        "read": _read,
        "type_name": plan.type_name,
    }
    lines = [
        "def run(context, row):",
        "    if isinstance(row, dict):",
        "        raise Abandon",
        "    mapped = MAPPED.get(type(row))",
        "    if mapped is None:",
        "        mapped = mapped_of(type(row))",
        # A loaded column of a mapped row sits in its __dict__, where SQLAlchemy's attribute
        # would read it; anything else (a row not mapped, a column not loaded) uses getattr.
        "    loaded = row.__dict__ if mapped else NOTHING",
        "    request = context.context_value",
        "    answer = {}",
    ]
    for at, (name, how, a, b, c, d, e) in enumerate(plan.program or ()):
        key = _literal(name)
        if how in (ATTRIBUTE, INDEX, COMPUTED):
            lines += _leaf(names, at, key, how, a, b, c, d)
        elif how == FUSED_DIRECT:
            names[f"run{at}"], names[f"model{at}"] = runner(b), e
            read = f"row[{int(a)}]" if isinstance(a, int) else f"getattr(row, {_literal(a)}, None)"
            lines += [f"    value = {read}", *_null(key, d), "    else:"]
            if e is not None:
                lines += [
                    f"        if not isinstance(value, model{at}):",
                    "            raise Abandon",
                ]
            else:
                lines += [
                    "        if isinstance(value, Exception) or context.is_awaitable(value):",
                    "            raise Abandon",
                ]
            lines.append(f"        answer[{key}] = run{at}(context, value)")
        elif how == FUSED_LINKED:
            names[f"run{at}"], names[f"model{at}"] = runner(b), a.model
            attribute = _literal(a.attribute)
            lines += [
                f"    key = loaded.get({attribute}, MISSING)",
                "    if key is MISSING:",
                f"        key = getattr(row, {attribute})",
                "    if key is None:",
                "        related = None",
                "    else:",
                f"        related = request.loaders.rows[model{at}].get(key, MISSING)",
                "        if related is MISSING:",
            ]
            # A row read with the page as some columns answers a selection within them;
            # anything else (not loaded yet) takes the DataLoader, on the ordinary path.
            if b.columns is None:
                lines.append("            raise Abandon")
            else:
                names[f"columns{at}"] = b.columns
                lines += [
                    f"            related = request.loaders.partial_rows[model{at}].get(key)",
                    "            if related is None or not "
                    f"columns{at} <= related.__dict__.keys():",
                    "                raise Abandon",
                ]
            lines += [
                # No relation, or not visible to this actor: as if missing (for a non-null
                # field, graphql-core's error, on the ordinary path).
                "    if related is None:",
                "        raise Abandon" if d else f"        answer[{key}] = None",
                f"    elif not isinstance(related, model{at}):",
                "        raise Abandon",
                "    else:",
                f"        answer[{key}] = run{at}(context, related)",
            ]
        else:  # a list of leaves or of objects
            names[f"what{at}"] = a
            lines += [f"    value = read(row, what{at}, request)", *_null(key, d)]
            lines += ["    elif type(value) is not list and type(value) is not tuple:"]
            lines += ["        raise Abandon", "    else:"]
            if how == FUSED_LEAVES:
                names[f"leaf{at}"] = b
                lines += [
                    f"        completed = leaves(leaf{at}, value)",
                    "        if completed is SKIP:",
                    "            raise Abandon",
                    f"        answer[{key}] = completed",
                ]
            else:
                names[f"run{at}"], names[f"model{at}"] = runner(b), e
                each = f"item_of(context, run{at}, model{at}, item)"
                lines.append(f"        answer[{key}] = [{each} for item in value]")
    lines.append("    return answer")
    exec(compile("\n".join(lines), f"<program of {plan.type_name}>", "exec"), names)  # noqa: S102
    made: Runner = names["run"]
    return made


def _leaf(
    names: dict[str, Any], at: int, key: str, how: int, a: Any, b: Any, c: Any, d: Any
) -> list[str]:
    """A leaf: read, then (unless null) checked, encoded and serialized."""
    names[f"serialize{at}"] = b
    if how == ATTRIBUTE:
        literal = _literal(a)
        lines = [
            f"    value = loaded.get({literal}, MISSING)",
            "    if value is MISSING:",
            f"        value = getattr(row, {literal}, None)",
        ]
    elif how == INDEX:
        lines = [f"    value = row[{int(a)}]"]
    else:
        names[f"computed{at}"] = a
        lines = [f"    value = computed{at}.compute(row, request)"]
    exact = _IDENTITY.get(b) if c is None else None
    members = _members(b) if c is None else None
    if exact is not None:  # a plain string or boolean is its own serialization
        names[f"exact{at}"] = exact
        lines += [f"    if type(value) is exact{at}:", f"        answer[{key}] = value"]
        lines += ["    elif value is None:"]
    elif members is not None:  # a member of the enum's own class: its name, as looked up
        names[f"enum{at}"], names[f"names{at}"] = members
        lines += [f"    if type(value) is enum{at}:", f"        answer[{key}] = names{at}[value]"]
        lines += ["    elif value is None:"]
    else:
        lines += ["    if value is None:"]
    lines += ["        raise Abandon" if d or c is not None else f"        answer[{key}] = None"]
    lines += [
        "    else:",
        "        if value is Undefined or isinstance(value, Exception):",
        "            raise Abandon",
    ]
    serialize = [
        f"        value = serialize{at}(value)",
        "        if value is None or value is Undefined:",
        "            raise Abandon",
        f"        answer[{key}] = value",
    ]
    if c is None:
        return lines + serialize
    names[f"encode{at}"] = c
    lines.append(f"        value = encode{at}(type_name, value)")
    if _IDENTITY.get(b) is not str:
        return lines + serialize
    # A relay id encoded as a string is its own serialization (graphql-core's ID).
    lines += ["        if type(value) is str:", f"            answer[{key}] = value"]
    return [*lines, "        else:", *("    " + line for line in serialize)]


def _members(serialize: Any) -> tuple[type, dict[Any, str]] | None:
    """For an enum whose values are the members of one Python enum: that class, and each
    member's name as ``GraphQLEnumType.serialize`` looks it up (graphene hands a member to it
    unchanged)."""
    leaf = getattr(serialize, "__self__", None)
    if not isinstance(leaf, GrapheneEnumType) or serialize != leaf.serialize:
        return None
    classes = {type(value.value) for value in leaf.values.values()}
    if len(classes) != 1 or not issubclass(enum_class := classes.pop(), Enum):
        return None
    found: dict[Any, str] = {}
    for name, value in leaf.values.items():
        found.setdefault(value.value, name)  # the first name of a value, as graphql-core's
    return enum_class, found


def _null(key: str, non_null: Any) -> list[str]:
    """What a null read answers: the whole row abandoned where a value must be."""
    return [
        "    if value is None:",
        "        raise Abandon" if non_null else f"        answer[{key}] = None",
    ]


def _literal(name: str) -> str:
    """A name as a string literal of the generated source; GraphQL names and attribute
    names are identifiers, anything else is refused."""
    if not name.isidentifier():
        raise ValueError(f"not a name: {name!r}")
    return repr(name)
