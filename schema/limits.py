"""Query cost: a static worst-case estimate of what a document asks for.

Every object-typed field costs 1; a field taking `first`/`last` multiplies the
cost of what is under it by that page size (the default page when absent, the
maximum page when it is a variable without a default). Fragments are expanded,
so the estimate cannot be dodged by hiding selections in them. The figure is
reported in `extensions.cost` and a document over the limit is refused before
anything runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)
from graphql.type import GraphQLNamedType
from strawberry.extensions import SchemaExtension

from services.pagination import DEFAULT_PAGE, MAX_PAGE


def _page_argument(node: FieldNode, defaults: Mapping[str, Any]) -> int:
    for argument in node.arguments or ():
        if argument.name.value not in ("first", "last"):
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(0, min(int(value.value), MAX_PAGE))
        if isinstance(value, VariableNode):
            default = defaults.get(value.name.value)
            return max(0, min(default, MAX_PAGE)) if isinstance(default, int) else MAX_PAGE
    return DEFAULT_PAGE


def _cost(
    schema: GraphQLSchema,
    selection_set: SelectionSetNode | None,
    parent: GraphQLNamedType,
    fragments: Mapping[str, FragmentDefinitionNode],
    defaults: Mapping[str, Any],
    visited: frozenset[str],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            fields = getattr(parent, "fields", {})
            if name.startswith("__") or name not in fields:
                continue
            field = fields[name]
            named = get_named_type(field.type)
            if not is_composite_type(named):
                continue
            paged = any(arg in field.args for arg in ("first", "last"))
            multiplier = _page_argument(selection, defaults) if paged else 1
            inner = _cost(schema, selection.selection_set, named, fragments, defaults, visited)
            total += 1 + multiplier * inner
        elif isinstance(selection, InlineFragmentNode):
            target = parent
            if selection.type_condition is not None:
                target = schema.get_type(selection.type_condition.name.value) or parent
            total += _cost(schema, selection.selection_set, target, fragments, defaults, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in visited:
                continue
            target = schema.get_type(fragment.type_condition.name.value) or parent
            total += _cost(
                schema, fragment.selection_set, target, fragments, defaults, visited | {name}
            )
    return total


def document_cost(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> int:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if not operations:
        return 0
    operation = operations[0]
    defaults: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if isinstance(definition.default_value, IntValueNode):
            defaults[definition.variable.name.value] = int(definition.default_value.value)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    return _cost(schema, operation.selection_set, root, fragments, defaults, frozenset())


class QueryCostLimiter(SchemaExtension):
    """Refuses documents whose estimated cost exceeds `max_cost`."""

    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost
        self.cost: int | None = None

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        # Runs after the validation cache has filled in the document's errors;
        # a document that is already invalid is not costed.
        if not ctx.pre_execution_errors and ctx.graphql_document is not None:
            self.cost = document_cost(ctx.schema._schema, ctx.graphql_document, ctx.operation_name)
            if self.cost > self.max_cost:
                ctx.pre_execution_errors = [
                    GraphQLError(
                        f"Query cost {self.cost} exceeds the maximum of {self.max_cost}; "
                        "ask for smaller pages or fewer fields.",
                        extensions={"code": "QUERY_TOO_COSTLY"},
                    )
                ]
        yield

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return {"cost": {"requestedQueryCost": self.cost, "maximumAvailable": self.max_cost}}
