"""Field-level visibility, enforced in one place: each field some role may not resolve gets
a guard around its resolver (``domain.field_visibility`` says which).

The guard runs before the resolver, so a forbidden field costs no query. It raises
``PermissionDenied``: the field is null with a ``FORBIDDEN`` error (and, as GraphQL wants, a
forbidden non-null field nulls its parent). Fields every role may resolve keep their resolver
untouched, so staff pay nothing for the customer's allowlist on the fields they share.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema, default_field_resolver

from wellspring.domain.errors import PermissionDenied
from wellspring.domain.field_visibility import roles_denied
from wellspring.domain.models.enums import Role


def _guarded(resolve: Callable[..., Any], denied: frozenset[Role]) -> Callable[..., Any]:
    def guard(root: Any, info: Any, **args: Any) -> Any:
        actor = info.context.actor
        if actor is not None and actor.role in denied:
            raise PermissionDenied
        return resolve(root, info, **args)

    return guard


def guard_fields(schema: GraphQLSchema) -> None:
    """Wrap, once, every field that some role may not resolve."""
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field_name, field in graphql_type.fields.items():
            denied = roles_denied(name, field_name)
            if denied:
                field.resolve = _guarded(field.resolve or default_field_resolver, denied)
