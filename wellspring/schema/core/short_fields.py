"""Which fields the short path of ``plain_fields.py`` answers, found once per schema: plain
leaves read by graphene's default resolver (or ``related.Element``) or worked out by
``related.Computed``, objects and lists read the same way (an edge's node, a suggestion's
skills), and ``related.Related`` relations to one object, each with its field guard."""

from __future__ import annotations

from functools import partial
from typing import Any

from graphene.relay.id_type import DefaultGlobalIDType
from graphene.relay.node import GlobalID
from graphene.types.resolver import dict_or_attr_resolver
from graphql import (
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
)

from .field_guard import FieldGuard
from .ids import global_id
from .node import ModelObjectType
from .related import Computed, Element, Related

# id(field definition) -> (attribute, leaf type, non-null, "Type.field", a relay id's encoder
# (type name, value) -> global id, or None; field guard or None)
# (an attribute name, a tuple index for ``Element``, or a ``Computed``)
Plain = dict[int, tuple[str | int | Computed, GraphQLLeafType, bool, str, Any, FieldGuard | None]]
# id(field definition) -> (relation, object type, field guard or None, non-null)
Linked = dict[int, tuple[Related, GraphQLObjectType, FieldGuard | None, bool]]
# id(field definition) -> (attribute or index, object type, non-null, model to check rows
# against or None, field guard or None)
Direct = dict[int, tuple[str | int, GraphQLObjectType, bool, Any, FieldGuard | None]]
# id(field definition) -> (attribute, index or ``Computed``, list type, non-null, field guard
# or None)
Lists = dict[int, tuple[str | int | Computed, GraphQLList[Any], bool, FieldGuard | None]]


def attribute_of(resolve: Any) -> str | int | None:
    """The attribute graphene's default resolver reads (the index ``Element`` reads), or None
    for any other resolver."""
    if isinstance(resolve, Element):
        return resolve.index
    if (
        isinstance(resolve, partial)
        and resolve.func is dict_or_attr_resolver
        and len(resolve.args) == 2
        and resolve.args[1] is None
        and not resolve.keywords
    ):
        return str(resolve.args[0])
    return None


def relay_id(resolve: Any) -> tuple[Any, Any] | None:
    """A relay ``id`` (graphene's GlobalID resolver around the default one): the resolver it
    wraps and its node type; None for any other resolver."""
    if (
        isinstance(resolve, partial)
        and resolve.func is GlobalID.id_resolver
        and len(resolve.args) == 2
        and resolve.keywords == {"parent_type_name": None}
    ):
        return resolve.args[0], resolve.args[1]
    return None


def unguarded(resolve: Any) -> tuple[Any, FieldGuard | None]:
    if isinstance(resolve, FieldGuard):
        return resolve.resolve, resolve
    return resolve, None


def _fields(schema: GraphQLSchema) -> Any:
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field_name, field in graphql_type.fields.items():
            yield f"{type_name}.{field_name}", field


def _encoder(node: Any) -> Any:
    """How a relay ``id`` of ``node`` is encoded: graphene's default global id type is
    graphql-relay's base64 of ``Type:id``, which ``ids.global_id`` writes directly."""
    if node._meta.global_id_type is DefaultGlobalIDType:
        return global_id
    return node.to_global_id


def plain_fields(schema: GraphQLSchema) -> Plain:
    found: Plain = {}
    for name, field in _fields(schema):
        resolve, guard = unguarded(field.resolve)
        node = None
        relay = relay_id(resolve)
        if relay is not None:
            resolve, node = relay[0], _encoder(relay[1])
        attribute = resolve if isinstance(resolve, Computed) else attribute_of(resolve)
        non_null = isinstance(field.type, GraphQLNonNull)
        leaf = field.type.of_type if non_null else field.type
        if attribute is None or field.args or not is_leaf_type(leaf):
            continue
        found[id(field)] = (attribute, leaf, non_null, name, node, guard)
    return found


def _row_model(target: GraphQLObjectType) -> tuple[bool, Any]:
    """Whether rows can be checked for ``target`` here, and the model they must be (None:
    the type checks nothing)."""
    if target.is_type_of is None:
        return True, None
    graphene_type = getattr(target, "graphene_type", None)
    is_type_of = getattr(getattr(graphene_type, "is_type_of", None), "__func__", None)
    if is_type_of is not ModelObjectType.is_type_of.__func__:  # type: ignore[attr-defined]
        return False, None
    return True, graphene_type.model  # type: ignore[union-attr]


def direct_fields(schema: GraphQLSchema) -> Direct:
    """Objects read as plain fields read leaves, whose type checks rows as ``ModelObjectType``
    does (or not at all)."""
    found: Direct = {}
    for _name, field in _fields(schema):
        resolve, guard = unguarded(field.resolve)
        attribute = attribute_of(resolve)
        non_null = isinstance(field.type, GraphQLNonNull)
        target = field.type.of_type if non_null else field.type
        if attribute is None or field.args or not isinstance(target, GraphQLObjectType):
            continue
        checkable, model = _row_model(target)
        if checkable:
            found[id(field)] = (attribute, target, non_null, model, guard)
    return found


def linked_fields(schema: GraphQLSchema) -> Linked:
    """``Related`` fields to one object whose type checks rows as ``ModelObjectType`` does
    (a non-null one, such as a suggestion's engineer, takes the ordinary path when its row is
    not visible, for graphql-core's error)."""
    found: Linked = {}
    for _name, field in _fields(schema):
        resolve, guard = unguarded(field.resolve)
        non_null = isinstance(field.type, GraphQLNonNull)
        target = field.type.of_type if non_null else field.type
        if not isinstance(resolve, Related) or field.args:
            continue
        if not isinstance(target, GraphQLObjectType):  # a list: the ordinary path
            continue
        checkable, model = _row_model(target)
        if checkable and model is resolve.model:
            found[id(field)] = (resolve, target, guard, non_null)
    return found


def list_fields(schema: GraphQLSchema) -> Lists:
    """Lists read as plain fields read leaves (or worked out by ``Computed``), taking no
    arguments: their items are completed by ``list_values.py``."""
    found: Lists = {}
    for _name, field in _fields(schema):
        resolve, guard = unguarded(field.resolve)
        attribute = resolve if isinstance(resolve, Computed) else attribute_of(resolve)
        non_null = isinstance(field.type, GraphQLNonNull)
        target = field.type.of_type if non_null else field.type
        if attribute is None or field.args or not isinstance(target, GraphQLList):
            continue
        found[id(field)] = (attribute, target, non_null, guard)
    return found


def row_models(schema: GraphQLSchema) -> dict[int, Any]:
    """id(object type) -> the model its rows must be (None: any row), for every object type
    whose check is known here: the items a list of it may hold (``list_values.py``)."""
    found: dict[int, Any] = {}
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        checkable, model = _row_model(graphql_type)
        if checkable:
            found[id(graphql_type)] = model
    return found
