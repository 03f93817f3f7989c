"""Compiling an operation's selections into a plan: every field decided once.

A plan is a tree of `ObjectPlan`s, one per selection set, each listing its
response keys in the order graphql-core would answer them (its own
`collect_fields`/`collect_subfields` group them, so aliases, fragments, merged
repeats and `@include`/`@skip` come out exactly as in the general executor).
For each key the plan knows how the value is read (`__typename`, the source's
attribute, or the field's own resolver) and how it is completed (a leaf's
`serialize`, or a nested plan, with the list and non-null wrappers).

Anything the plan could not reproduce exactly raises `Unplannable` while
compiling, and the document is left to the general executor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet, collect_subfields
from graphql.language import FieldNode
from graphql.type.scalars import serialize_boolean, serialize_id, serialize_string
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

if TYPE_CHECKING:
    from collections.abc import Callable

    from graphql.execution import Executor
    from strawberry.types.fields.resolver import StrawberryResolver

# How a field's value is read from its source.
TYPENAME, ATTRIBUTE, RESOLVER = 0, 1, 2
# Leaves whose `serialize` returns a value of this exact type unchanged.
_IDENTITY: dict[Any, type] = {serialize_string: str, serialize_id: str, serialize_boolean: bool}


class Unplannable(Exception):
    """The selection holds something a plan would not answer exactly as the executor."""


@dataclass(slots=True)
class FieldPlan:
    key: str
    read: int
    # The source's attribute (ATTRIBUTE) or the resolver's field (RESOLVER).
    python_name: str = ""
    resolver: StrawberryResolver[Any] | None = None
    strawberry_field: StrawberryField | None = None
    definition: GraphQLField | None = None
    node: FieldNode | None = None
    is_async: bool = False
    # Completion: the value's wrappers, then a leaf or a nested plan.
    non_null: bool = False
    is_list: bool = False
    item_non_null: bool = False
    serialize: Callable[[Any], Any] | None = None
    identity: type | None = None
    objects: ObjectPlan | None = None


@dataclass(slots=True)
class ObjectPlan:
    type_name: str
    # Strawberry's own check for types with interfaces; it ignores `info`.
    is_type_of: Callable[[Any, Any], Any] | None
    fields: list[FieldPlan] = field(default_factory=list)
    keys: tuple[str, ...] = ()
    # True when nothing below awaits: the subtree completes without the event loop.
    is_sync: bool = True


def compile_objects(
    executor: Executor, object_type: GraphQLObjectType, grouped: GroupedFieldSet
) -> ObjectPlan:
    """The plan of one selection set on `object_type` (the root one: the executor's own)."""
    plan = ObjectPlan(object_type.name, object_type.is_type_of)
    for key, details in grouped.items():
        plan.fields.append(_compile_field(executor, object_type, key, details))
    plan.keys = tuple(f.key for f in plan.fields)
    plan.is_sync = all(
        not f.is_async and (f.objects is None or f.objects.is_sync) for f in plan.fields
    )
    return plan


def _compile_field(
    executor: Executor, parent: GraphQLObjectType, key: str, details: FieldDetailsList
) -> FieldPlan:
    if any(d.defer_usage is not None or d.fragment_variable_values for d in details):
        raise Unplannable("deferred or fragment-variable selection")
    node = details[0].node
    name = node.name.value
    if name == "__typename":
        return FieldPlan(key, TYPENAME, non_null=True)
    definition = parent.fields.get(name)
    if definition is None or name.startswith("__"):
        raise Unplannable(f"{parent.name}.{name}")
    strawberry_field = (definition.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(strawberry_field, StrawberryField) or strawberry_field.extensions:
        # Permission classes and field extensions run around the resolver: not planned.
        raise Unplannable(f"{parent.name}.{name} is not a plain Strawberry field")
    plan = FieldPlan(key, ATTRIBUTE, definition=definition, node=node)
    if getattr(definition.resolve, "_is_default", False):
        plan.python_name = strawberry_field.python_name
    else:
        resolver = strawberry_field.base_resolver
        if resolver is None or _has_exception_handlers(executor, strawberry_field):
            raise Unplannable(f"{parent.name}.{name} has no plain resolver")
        plan.read = RESOLVER
        plan.resolver = resolver
        plan.strawberry_field = strawberry_field
        plan.is_async = resolver.is_async
    _compile_completion(executor, plan, definition, details)
    return plan


def _has_exception_handlers(executor: Executor, strawberry_field: StrawberryField) -> bool:
    converter = _strawberry_schema(executor).schema_converter
    return bool(converter._get_field_exception_handlers(strawberry_field))


def _strawberry_schema(executor: Executor) -> Any:
    return executor.schema._strawberry_schema  # type: ignore[attr-defined]


def _compile_completion(
    executor: Executor, plan: FieldPlan, definition: GraphQLField, details: FieldDetailsList
) -> None:
    kind: Any = definition.type
    plan.non_null = is_non_null_type(kind)
    kind = get_nullable_type(kind)
    if is_list_type(kind):
        assert isinstance(kind, GraphQLList)
        plan.is_list = True
        kind = kind.of_type
        plan.item_non_null = isinstance(kind, GraphQLNonNull)
        kind = get_nullable_type(kind)
        if is_list_type(kind):
            raise Unplannable("nested lists")
    if is_leaf_type(kind):
        serialize = kind.serialize
        plan.serialize = serialize
        if isinstance(kind, GraphQLScalarType):
            plan.identity = _IDENTITY.get(serialize)
        return
    if not is_object_type(kind):
        raise Unplannable(f"abstract type {kind}")
    assert isinstance(kind, GraphQLObjectType)
    sub = collect_subfields(
        executor.schema,
        executor.fragments,
        executor.variable_values,
        executor.operation,
        kind,
        details,
        executor.hide_suggestions,
    )
    if sub.new_defer_usages:
        raise Unplannable("@defer")
    plan.objects = compile_objects(executor, kind, sub.grouped_field_set)
