"""The Relay ``Node`` interface, with lookups that obey the policy."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from graphene import relay
from graphql import GraphQLResolveInfo as ResolveInfo
from graphql.pyutils import is_awaitable

from wellspring.domain.errors import DomainError

from .context import require_actor
from .ids import split_global_id


async def load_node(info: Any, model: type[Any], id_: str) -> Any:
    """``node(id:)`` and every ``get_node``: a visible row or None, never a hint it exists."""
    require_actor(info)
    row = info.context.loaders.load(model, id_)
    return await row if is_awaitable(row) else row


class ModelObjectType(graphene.ObjectType, abstract=True):  # type: ignore[call-arg]
    """An ObjectType showing one domain model; set ``model`` on the subclass."""

    model: ClassVar[type[Any]]

    @classmethod
    def is_type_of(cls, root: Any, _info: Any) -> bool:
        return isinstance(root, cls.model)

    @classmethod
    async def get_node(cls, info: Any, id_: str) -> Any:
        return await load_node(info, cls.model, id_)


class Node(relay.Node):
    """An object with an ID. A malformed id, or one naming no Node type, is ``INVALID_ID``."""

    class Meta:
        name = "Node"

    @classmethod
    def get_node_from_global_id(
        cls, info: ResolveInfo, global_id: str, only_type: Any = None
    ) -> Any:
        type_name, raw = split_global_id(global_id, field="id")
        graphql_type = info.schema.get_type(type_name)
        graphene_type = getattr(graphql_type, "graphene_type", None)
        interfaces = getattr(getattr(graphene_type, "_meta", None), "interfaces", ())
        if (
            graphene_type is None
            or cls not in interfaces
            or (only_type and graphene_type is not only_type)
        ):
            raise DomainError("INVALID_ID", field="id", value=global_id[:64])
        return graphene_type.get_node(info, raw)


async def as_value(value: Any) -> Any:
    """A loader's answer, whether it came back at once or as an awaitable."""
    return await value if is_awaitable(value) else value
