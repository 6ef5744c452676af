"""How each field of a selection is answered on the short path of ``plain_fields.py``, found
once per selection and role (and kept across requests, ``shared_plans.py``): a page repeats
one selection on every row.

A plan holds, for each field in the selection's order, its definition and how it is
answered: a leaf's quick read (the attribute, an edge's index or a ``Computed``, and its
serializer), an object's sub-selection, or graphql-core's ordinary path.

When every field of a selection is a leaf with a quick read or an object the short path
reads (a node, a known relation), the plan also holds a *program*, one step per field, that
``fused_rows.py`` runs on a row and on its objects' rows in one go.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLField, GraphQLNonNull, GraphQLObjectType, is_leaf_type
from graphql.execution.execute import get_field_def

from .field_guard import FieldGuard
from .related import Computed
from .short_fields import Direct, Linked, Lists, Plain

ORDINARY, PLAIN, DIRECT, LINKED, LIST = range(5)  # how a field of a selection is answered
ATTRIBUTE, INDEX, COMPUTED = range(3)  # how a quick leaf reads its value

Fields = dict[str, list[FieldNode]]  # a sub-selection, as graphql-core collects it
# (response name, field nodes, definition, kind, quick read or None, sub-selection or None)
Entry = tuple[str, list[FieldNode], GraphQLField, int, Any, Fields | None]
# A step of a program: (response name, how, then by ``how``)
# - ATTRIBUTE, INDEX, COMPUTED: attribute | index | Computed, serialize, relay id encoder
#   or None, non-null;
# - DIRECT: attribute or index, the plan of its object, unused, non-null, model or None;
# - LINKED: the ``Related``, the plan of its object, unused, non-null, unused;
# - LEAVES, ROWS (a list of leaves or of objects): attribute | index | Computed, the item's
#   leaf type or the plan of its objects, unused, non-null, the items' model or None.
Step = tuple[str, int, Any, Any, Any, Any, Any]
FUSED_DIRECT, FUSED_LINKED, FUSED_LEAVES, FUSED_ROWS = 3, 4, 5, 6
NO_ACTOR: Any = object()  # a context without an actor: guarded fields take the long path


def _allowed(guard: FieldGuard | None, actor: Any) -> bool:
    """A guard's answer depends on the actor alone, fixed for the request: a field it allows
    is read as an unguarded one."""
    return guard is None or (actor is not NO_ACTOR and guard.allows(actor))


class Plan:
    __slots__ = ("columns", "entries", "fields", "program", "run", "type_name")

    def __init__(
        self, type_name: str, fields: Fields, entries: list[Entry], program: list[Step] | None
    ) -> None:
        self.type_name = type_name
        self.fields = fields  # held, so that its id is not reused while the plan lives
        self.entries = tuple(entries)
        self.program = None if program is None else tuple(program)
        # The row attributes its program reads, or None: which rows read as columns it may
        # answer (``read_columns.py``).
        self.columns = None if program is None else _columns(self.program or ())
        self.run: Any = None  # the program as a function (``fused_rows.py``), once made


def _columns(program: tuple[Step, ...]) -> frozenset[str] | None:
    read: set[str] = set()
    for _name, how, a, *_rest in program:
        if how == FUSED_LINKED:
            read.add(a.attribute)
        elif isinstance(a, str):  # an attribute, an object's or a list's
            read.add(a)
        elif isinstance(a, Computed) and a.columns is not None:
            read |= a.columns
        else:  # a tuple's index, or a Computed that does not say
            return None
    return frozenset(read)


def make_plan(
    context: Any,
    parent_type: GraphQLObjectType,
    fields: Fields,
    plain: Plain,
    direct: Direct,
    linked: Linked,
    lists: Lists,
    models: dict[int, Any],
) -> Plan:
    """The plan of ``fields`` on ``parent_type`` for the request of ``context`` (an execution
    context): its actor decides, once, which guarded leaves it may read."""
    entries: list[Entry] = []
    program: list[Step] | None = []
    actor = getattr(context.context_value, "actor", NO_ACTOR)
    for response_name, field_nodes in fields.items():
        field_def = get_field_def(context.schema, parent_type, field_nodes[0])
        if field_def is None:
            continue  # graphql-core leaves out an unknown field too
        kind, sub, non_null = ORDINARY, None, False
        quick: tuple[Any, Any, Any, int] | None = None
        step: Step | None = None
        if not context.middleware_manager:
            key = id(field_def)
            if key in plain:
                kind = PLAIN
                attribute, leaf, non_null, _name, node, guard = plain[key]
                if _allowed(guard, actor):
                    if isinstance(attribute, Computed):
                        quick = (attribute, leaf.serialize, node, COMPUTED)
                    elif isinstance(attribute, str):
                        quick = (attribute, leaf.serialize, node, ATTRIBUTE)
                    else:
                        quick = (attribute, leaf.serialize, node, INDEX)
                    step = (
                        response_name,
                        quick[3],
                        attribute,
                        leaf.serialize,
                        node,
                        non_null,
                        None,
                    )
            elif key in direct:
                kind = DIRECT
                attribute, object_type, non_null, model, guard = direct[key]
                sub = context.collect_subfields(object_type, field_nodes)
                child = context.plan_of(object_type, sub)
                if _allowed(guard, actor) and child.program is not None:
                    step = (response_name, FUSED_DIRECT, attribute, child, None, non_null, model)
            elif key in linked:
                kind = LINKED
                related, object_type, guard, non_null = linked[key]
                sub = context.collect_subfields(object_type, field_nodes)
                child = context.plan_of(object_type, sub)
                if _allowed(guard, actor) and child.program is not None:
                    step = (response_name, FUSED_LINKED, related, child, None, non_null, None)
            elif key in lists:
                kind = LIST
                attribute, list_type, non_null, guard = lists[key]
                item = list_type.of_type
                inner = item.of_type if isinstance(item, GraphQLNonNull) else item
                allowed = _allowed(guard, actor)
                if allowed and is_leaf_type(inner):
                    step = (response_name, FUSED_LEAVES, attribute, inner, None, non_null, None)
                elif allowed and isinstance(inner, GraphQLObjectType) and id(inner) in models:
                    child = context.plan_of(inner, context.collect_subfields(inner, field_nodes))
                    rows = (response_name, FUSED_ROWS, attribute, child, None, non_null)
                    step = (*rows, models[id(inner)])
        if program is not None:
            if step is None:
                program = None  # a field the program cannot answer: no program
            else:
                program.append(step)
        entries.append((response_name, field_nodes, field_def, kind, quick, sub))
    return Plan(parent_type.name, fields, entries, program)
