"""Validation rules that bound what one document may ask for: depth, cost and aliases.

They run with graphql-core's standard rules, before any resolver. Unlike graphene's
``depth_limit_validator`` they skip fragments that are not defined (the standard rules report
those) instead of raising ``KeyError`` (graphene issue #1538).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    VariableNode,
    get_named_type,
)
from graphql.validation.validation_context import ASTValidationContext

from wellspring.domain.pagination import DEFAULT_PAGE_SIZE as DEFAULT_PAGE
from wellspring.i18n import message

LIST_WEIGHT = 5  # nested lists without paging are capped server-side; assume a few items each


def _fragments(context: ASTValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        d.name.value: d
        for d in context.document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }


def depth_rule(max_depth: int, locale: str) -> type[ASTValidationRule]:
    class DepthLimit(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = _fragments(self.context)

            def depth(selection_set: SelectionSetNode | None, seen: frozenset[str]) -> int:
                if selection_set is None:
                    return 0
                deepest = 0
                for sel in selection_set.selections:
                    if isinstance(sel, FieldNode):
                        if sel.name.value.startswith("__"):
                            continue  # introspection has its own depth rule
                        deepest = max(deepest, 1 + depth(sel.selection_set, seen))
                    elif isinstance(sel, InlineFragmentNode):
                        deepest = max(deepest, depth(sel.selection_set, seen))
                    elif isinstance(sel, FragmentSpreadNode):
                        name = sel.name.value
                        frag = fragments.get(name)
                        if frag is not None and name not in seen:
                            deepest = max(deepest, depth(frag.selection_set, seen | {name}))
                return deepest

            found = depth(node.selection_set, frozenset())
            if found > max_depth:
                self.report_error(
                    GraphQLError(
                        message("QUERY_TOO_DEEP", locale, depth=found, maximum=max_depth),
                        node,
                        extensions={"code": "QUERY_TOO_DEEP", "depth": found, "maximum": max_depth},
                    )
                )

    return DepthLimit


def _first_argument(node: FieldNode, variables: dict[str, Any]) -> int | None:
    for arg in node.arguments or ():
        if arg.name.value == "first":
            if isinstance(arg.value, IntValueNode):
                return int(arg.value.value)
            if isinstance(arg.value, VariableNode):
                value = variables.get(arg.value.name.value)
                return int(value) if isinstance(value, int) else DEFAULT_PAGE
    return None


_COST_KEY_MAX = 32  # more integer variables than this (an import's rows): cost them every time


def cost_key(variables: dict[str, Any]) -> tuple[tuple[str, int], ...] | None:
    """What of the variables :func:`query_cost` can depend on: ``_first_argument`` reads a
    variable's value only when it is an int, and any other value counts as the default page.
    So two requests of one document whose integer variables agree cost the same, whatever
    their ids and texts (None: too many to remember)."""
    ints = [(k, v) for k, v in variables.items() if isinstance(v, int)]
    if len(ints) > _COST_KEY_MAX:
        return None
    return tuple(sorted(ints))


def query_cost(
    schema: GraphQLSchema,
    context: ASTValidationContext,
    node: OperationDefinitionNode,
    variables: dict[str, Any],
) -> int:
    """Every object field costs 1, times the number of parents it can be fetched for.

    A connection multiplies what is under it by its page size (``first``, or the default page
    when ``first`` is left out or names a missing variable); a plain
    list of objects by ``LIST_WEIGHT``; scalars are free. A connection's own ``edges`` and
    ``nodes`` lists are already counted by the connection.
    """
    fragments = _fragments(context)
    root = schema.get_root_type(node.operation)
    if root is None:
        return 0

    def cost(
        parent: GraphQLNamedType, selection_set: SelectionSetNode | None, seen: frozenset[str]
    ) -> int:
        if selection_set is None or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return 0
        total = 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                definition = parent.fields.get(sel.name.value)
                if definition is None or sel.selection_set is None:
                    continue  # scalars, introspection and unknown fields cost nothing here
                field_type = definition.type
                multiplier = 1
                if isinstance(field_type, GraphQLNonNull):
                    field_type = field_type.of_type
                if isinstance(field_type, GraphQLList):
                    in_connection = parent.name.endswith("Connection")
                    multiplier = 1 if in_connection else LIST_WEIGHT
                named = get_named_type(field_type)
                first = _first_argument(sel, variables)
                if first is not None:
                    multiplier = max(first, 1)
                elif named.name.endswith("Connection"):
                    multiplier = DEFAULT_PAGE  # no `first`: the server returns its default page
                inner = cost(named, sel.selection_set, seen)
                total += 1 + multiplier * inner
            elif isinstance(sel, InlineFragmentNode):
                target: GraphQLNamedType = parent
                if sel.type_condition is not None:
                    target = schema.get_type(sel.type_condition.name.value) or parent
                total += cost(target, sel.selection_set, seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                frag = fragments.get(name)
                if frag is not None and name not in seen:
                    spread_type = schema.get_type(frag.type_condition.name.value) or parent
                    total += cost(spread_type, frag.selection_set, seen | {name})
        return total

    return cost(root, node.selection_set, frozenset())


def cost_rule(
    schema: GraphQLSchema, max_cost: int, locale: str, variables: dict[str, Any]
) -> type[ASTValidationRule]:
    class CostLimit(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            found = query_cost(schema, self.context, node, variables)
            if found > max_cost:
                self.report_error(
                    GraphQLError(
                        message("QUERY_TOO_COMPLEX", locale, cost=found, maximum=max_cost),
                        node,
                        extensions={
                            "code": "QUERY_TOO_COMPLEX",
                            "requestedQueryCost": found,
                            "maximumAvailable": max_cost,
                        },
                    )
                )

    return CostLimit


def alias_rule(max_aliases: int, locale: str) -> type[ASTValidationRule]:
    class AliasLimit(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0
            self.reported = False

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.alias is not None:
                self.count += 1
                if self.count > max_aliases and not self.reported:
                    self.reported = True
                    self.report_error(
                        GraphQLError(
                            message("TOO_MANY_ALIASES", locale, maximum=max_aliases),
                            node,
                            extensions={"code": "TOO_MANY_ALIASES", "maximum": max_aliases},
                        )
                    )

    return AliasLimit
