"""The Relay ``Node`` interface, with lookups that obey the policy."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from graphene import relay
from graphql.pyutils import is_awaitable

from .context import require_actor


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


Node = relay.Node


async def as_value(value: Any) -> Any:
    """A loader's answer, whether it came back at once or as an awaitable."""
    return await value if is_awaitable(value) else value
