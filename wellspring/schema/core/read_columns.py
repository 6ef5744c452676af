"""Which columns a list's selection reads, so that its page is read as those columns only
(``domain/column_rows.py``, issue 19 §3).

A field reads one column when graphene's default resolver reads a column attribute (a relay
``id`` included), or a ``related.Related`` reads its key; a ``related.Computed`` names what it
reads, and so does a resolver of ours marked with ``related.reads``. Any other field (another
resolver of ours, an attribute that is not a column) could read anything: an object with
such a field in its selection is read whole. The same rules decide which rows read this way
a selection may be answered from (``Plan.columns``, ``Loaders.partial_row``): a row is used
only when it holds every column its selection reads.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema, get_named_type
from sqlalchemy import inspect

from ...domain import joined
from ...domain.column_rows import Columns
from ...domain.joined import Relations
from . import prefetch
from .prefetch import connection_nodes, counted, selection_tree
from .related import Computed, Related
from .short_fields import attribute_of, relay_id, unguarded

# type name -> field name -> (the columns it reads or None for unknown, its named type's name,
# whether it is a ``Related``, which may answer from a row read as some columns)
_Fields = dict[str, dict[str, tuple[frozenset[str] | None, str, bool]]]
Tree = Mapping[str, Any]
TYPENAME = "__typename"


def field_reads(field: GraphQLField, columns: frozenset[str]) -> frozenset[str] | None:
    """The columns (of a model with ``columns``) a field's resolver reads, None if unknown."""
    resolve, _guard = unguarded(field.resolve)  # a guard reads the actor, never the row
    relay = relay_id(resolve)
    if relay is not None:
        resolve = relay[0]
    declared = getattr(resolve, "reads_columns", None)  # ``related.reads``
    if declared is not None:
        return frozenset(declared)
    if isinstance(resolve, Computed):
        return resolve.columns
    if isinstance(resolve, Related):
        return frozenset({resolve.attribute})
    attribute = attribute_of(resolve)
    if isinstance(attribute, str) and attribute in columns:
        return frozenset({attribute})
    return None


@lru_cache(maxsize=8)
def _fields(schema: GraphQLSchema) -> _Fields:
    found: _Fields = {}
    for type_name, graphql_type in schema.type_map.items():
        model = getattr(getattr(graphql_type, "graphene_type", None), "model", None)
        if not isinstance(graphql_type, GraphQLObjectType) or model is None:
            continue
        columns = frozenset(attr.key for attr in inspect(model).column_attrs)
        found[type_name] = {
            name: (
                field_reads(field, columns),
                get_named_type(field.type).name,
                isinstance(unguarded(field.resolve)[0], Related),
            )
            for name, field in graphql_type.fields.items()
        }
    return found


def _selection_reads(fields: Mapping[str, Any] | None, tree: Tree) -> frozenset[str] | None:
    if fields is None:
        return None
    read: set[str] = set()
    for name in tree:
        if name == TYPENAME:
            continue
        entry = fields.get(name)
        if entry is None or entry[0] is None:
            return None
        read |= entry[0]
    return frozenset(read)


def page_columns(
    schema: GraphQLSchema, type_name: str, relations: Relations, tree: Tree
) -> Columns:
    """What a page of ``type_name`` and its joined ``relations`` read, by relation path, for
    the selection ``tree`` of its nodes (``prefetch.connection_nodes``). A relation resolved
    otherwise than by ``Related`` is read whole (no path): its resolver loads it by id, which
    only a whole row answers."""
    found: dict[tuple[str, ...], frozenset[str] | None] = {}
    _walk(_fields(schema), found, type_name, tree, relations, ())
    return found


def _walk(
    fields: _Fields,
    found: dict[tuple[str, ...], frozenset[str] | None],
    name: str,
    tree: Tree,
    plan: Relations,
    path: tuple[str, ...],
) -> None:
    # Not a closure: a recursive one is a reference cycle (see ``prefetch._walk``).
    own = fields.get(name)
    found[path] = _selection_reads(own, tree)
    for field_name, (_model, _attribute, nested) in plan.items():
        entry = None if own is None else own.get(field_name)
        if entry is not None and entry[2] and field_name in tree:
            _walk(fields, found, entry[1], tree[field_name], nested, (*path, field_name))


# (type name, the relations, the schema's and the field nodes' ids) -> (the schema and nodes,
# what the page reads). A cached document's nodes are the same objects at every request of
# it, and what a page reads follows from them alone (selection_tree ignores variables): it is
# worked out once per document instead of at every request (0.03 ms of a Tickets request).
_PAGE_READS: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], PageReads]] = OrderedDict()
PAGE_READS_LIMIT = 1024
PageReads = tuple[Relations, Columns, bool]


def page_reads(
    info: Any,
    type_name: str,
    relations: Relations,
    needs: Callable[[prefetch.Tree], prefetch.Tree] | None = None,
    *,
    connection: bool = True,
) -> PageReads:
    """For a connection field of ``type_name`` nodes (or, not ``connection``, a list of
    them): the ``relations`` its nodes select (``joined.selected``), the columns they read
    (``page_columns``) and whether it asks for its count (``prefetch.counted``; never for a
    list). ``needs`` adds to the nodes' selection what their fields read beyond it (a job's
    ``overdue``, its ticket's due time)."""
    held = (info.schema, *info.field_nodes)
    key = (type_name, id(relations), id(needs), connection, *map(id, held))
    found = _PAGE_READS.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], held, strict=True)):
        _PAGE_READS.move_to_end(key)
        return found[1]
    tree = selection_tree(info)
    nodes = connection_nodes(tree) if connection else tree
    if needs is not None:
        nodes = needs(nodes)
    chosen = joined.selected(relations, nodes)
    count = counted(tree) if connection else False
    reads = (chosen, page_columns(info.schema, type_name, chosen, nodes), count)
    _PAGE_READS[key] = (held, reads)
    if len(_PAGE_READS) > PAGE_READS_LIMIT:
        _PAGE_READS.popitem(last=False)
    return reads
