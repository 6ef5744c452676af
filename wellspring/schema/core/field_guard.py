"""Field-level visibility, enforced in one place: each field some role may not resolve gets
a guard around its resolver (``domain.field_visibility`` says which).

The guard runs before the resolver, so a forbidden field costs no query. It raises
``PermissionDenied``: the field is null with a ``FORBIDDEN`` error (and, as GraphQL wants, a
forbidden non-null field nulls its parent). Fields every role may resolve keep their resolver
untouched, so staff pay nothing for the customer's allowlist on the fields they share.

The guard is a small class rather than a closure so that the short path of
``plain_fields.py`` can see what it guards and which roles it denies, and apply the same
check (``FieldGuard.check``) without calling through it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema, default_field_resolver

from wellspring.domain.errors import PermissionDenied
from wellspring.domain.field_visibility import roles_denied
from wellspring.domain.models.enums import Role


class FieldGuard:
    """A resolver that refuses the roles in ``denied`` and otherwise calls ``resolve``."""

    __slots__ = ("denied", "resolve")

    def __init__(self, resolve: Callable[..., Any], denied: frozenset[Role]) -> None:
        self.resolve, self.denied = resolve, denied

    def allows(self, actor: Any) -> bool:
        """Whether ``actor`` may resolve the field (None: no one signed in, checked elsewhere)."""
        return actor is None or actor.role not in self.denied

    def check(self, actor: Any) -> None:
        """Raise ``PermissionDenied`` when ``actor`` may not resolve the field."""
        if not self.allows(actor):
            raise PermissionDenied

    def __call__(self, root: Any, info: Any, **args: Any) -> Any:
        self.check(info.context.actor)
        return self.resolve(root, info, **args)


def guard_fields(schema: GraphQLSchema) -> None:
    """Wrap, once, every field that some role may not resolve."""
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field_name, field in graphql_type.fields.items():
            denied = roles_denied(name, field_name)
            if denied:
                field.resolve = FieldGuard(field.resolve or default_field_resolver, denied)
