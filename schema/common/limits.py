"""Query cost: a static worst-case estimate of what a document asks for.

Every object-typed field costs 1; a field taking `first`/`last` multiplies the
cost of what is under it by that page size (the default page when absent, the
maximum page when it is a variable holding something other than an Int).
Variables are read from the request, then their defaults. Fragments are expanded,
so the estimate cannot be dodged by hiding selections in them. The figure is
reported in `extensions.cost` and a document over the limit is refused before
anything runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
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
    value_from_ast_untyped,
)
from graphql.type import GraphQLNamedType
from strawberry.extensions import SchemaExtension, ValidationCache

from plumbing.pagination import DEFAULT_PAGE, MAX_PAGE


def _page_argument(node: FieldNode, variables: Mapping[str, Any]) -> int:
    for argument in node.arguments or ():
        if argument.name.value not in ("first", "last"):
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(0, min(int(value.value), MAX_PAGE))
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            if given is None:  # null or absent: the resolver's default page
                return DEFAULT_PAGE
            if isinstance(given, int) and not isinstance(given, bool):
                return max(0, min(given, MAX_PAGE))
            return MAX_PAGE  # not an Int: coercion will refuse it; assume the worst
    return DEFAULT_PAGE


@dataclass
class _Costing:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    # A fragment costs the same wherever it is spread: computed once, so that
    # fragments spreading each other twice over cannot make this exponential.
    by_fragment: dict[str, int] = field(default_factory=dict)

    def cost(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, path: frozenset[str]
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, path)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    target = self.schema.get_type(selection.type_condition.name.value) or parent
                total += self.cost(selection.selection_set, target, path)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._spread(selection.name.value, parent, path)
        return total

    def _field(self, node: FieldNode, parent: GraphQLNamedType, path: frozenset[str]) -> int:
        name = node.name.value
        fields = getattr(parent, "fields", {})
        if name.startswith("__") or name not in fields:
            return 0
        definition = fields[name]
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return 0
        paged = any(arg in definition.args for arg in ("first", "last"))
        multiplier = _page_argument(node, self.variables) if paged else 1
        return 1 + multiplier * self.cost(node.selection_set, named, path)

    def _spread(self, name: str, parent: GraphQLNamedType, path: frozenset[str]) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in path:  # unknown or cyclic: validation refuses it
            return 0
        if name not in self.by_fragment:
            target = self.schema.get_type(fragment.type_condition.name.value) or parent
            self.by_fragment[name] = self.cost(fragment.selection_set, target, path | {name})
        return self.by_fragment[name]


def _operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    return operations[0] if operations else None


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def document_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The cost of the operation with the request's variables (their defaults if absent)."""
    operation = _operation(document, operation_name)
    if operation is None:
        return 0
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if definition.default_value is not None:
            values[definition.variable.name.value] = value_from_ast_untyped(
                definition.default_value
            )
    values.update(variables or {})
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    costing = _Costing(schema, _fragments(document), values)
    return costing.cost(operation.selection_set, root, frozenset())


def expanded_fields(document: DocumentNode, operation_name: str | None) -> int:
    """How many fields the operation selects once every fragment is spread out.

    Counted with one figure per fragment, so it stays linear in the document
    even when the answer is astronomically large.
    """
    operation = _operation(document, operation_name)
    if operation is None:
        return 0
    fragments = _fragments(document)
    by_fragment: dict[str, int] = {}

    def count(selection_set: SelectionSetNode | None, path: frozenset[str]) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += 1 + count(selection.selection_set, path)
            elif isinstance(selection, InlineFragmentNode):
                total += count(selection.selection_set, path)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in path:  # validation refuses these
                    continue
                if name not in by_fragment:
                    by_fragment[name] = count(fragment.selection_set, path | {name})
                total += by_fragment[name]
        return total

    return count(operation.selection_set, frozenset())


class QuerySizeLimiter(SchemaExtension):
    """Refuses, before validation, documents that select too many fields in all.

    A few fragments that each spread the next one twice select millions of
    fields in a few hundred bytes; the depth and alias rules would walk every
    one of them. This check is linear in the document, so it runs first, and
    `LimitedValidationCache` skips validation for a document it refused.
    """

    def __init__(self, max_fields: int) -> None:
        self.max_fields = max_fields

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if not ctx.pre_execution_errors and ctx.graphql_document is not None:
            size = expanded_fields(ctx.graphql_document, ctx.operation_name)
            if size > self.max_fields:
                ctx.pre_execution_errors = [
                    GraphQLError(
                        f"The query selects {size} fields once its fragments are expanded; "
                        f"the maximum is {self.max_fields}.",
                        extensions={"code": "QUERY_TOO_LARGE"},
                    )
                ]
        yield


class LimitedValidationCache(ValidationCache):
    """Strawberry's validation cache, skipped for a document already refused."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
            return
        yield from super().on_validate()


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
            self.cost = document_cost(
                ctx.schema._schema, ctx.graphql_document, ctx.operation_name, ctx.variables
            )
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
