"""Running a plan: one selection set at a time for every object that shares it.

Where graphql-core walks each object's fields one by one, a plan reads one
field for all the objects of a level (every order of the page at once), gathers
their awaited reads together (so the dataloaders batch exactly as they do for
the executor) and writes the values straight into the response's dicts.

Whatever the executor would report as an error (a resolver raising, a null
where the schema says non-null, a value of the wrong type, an argument it
refuses) raises here instead: the caller discards the plan's work and lets the
executor answer, errors and paths included.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from graphql.execution.values import get_argument_values
from graphql.pyutils import Undefined
from strawberry.types.arguments import convert_arguments

from schema.common.plans.compiler import RESOLVER, TYPENAME, FieldPlan, ObjectPlan

if TYPE_CHECKING:
    from graphql.execution import Executor


class PlanFailed(Exception):
    """The executor would answer this differently (an error somewhere): run it instead."""


class PlanInfo:
    """What a planned resolver gets for `info`: the context, and no path.

    The surface's resolvers read `info.context`, and `info.path` only to report
    a paging error at the field; with no path, `connection` raises the error
    instead, which fails the plan. Any other attribute is missing, so a
    resolver reaching for it fails the plan too.
    """

    __slots__ = ("context",)
    path = None

    def __init__(self, context: Any) -> None:
        self.context = context


class Run:
    """One execution of a plan: the executor's variables and the resolvers' `info`."""

    __slots__ = ("config", "executor", "info", "scalars")

    def __init__(self, executor: Executor) -> None:
        strawberry_schema = executor.schema._strawberry_schema  # type: ignore[attr-defined]
        self.executor = executor
        self.info = PlanInfo(executor.context_value)
        self.config = strawberry_schema.config
        self.scalars = strawberry_schema.schema_converter.scalar_registry


async def run_plan(plan: ObjectPlan, root_value: Any, executor: Executor) -> dict[str, Any]:
    run = Run(executor)
    if plan.is_sync:
        return _complete_sync(plan, [root_value], run)[0]
    return (await _complete_async(plan, [root_value], run))[0]


def _complete_sync(plan: ObjectPlan, sources: list[Any], run: Run) -> list[dict[str, Any]]:
    columns, pending = _read(plan, sources, run)
    if pending:
        for _, _, awaitable in pending:
            if inspect.iscoroutine(awaitable):
                awaitable.close()
        raise PlanFailed("a synchronous field answered an awaitable")
    children = {
        i: _complete_sync(f.objects, flat, run)
        for i, f, flat in _nested(plan, columns)
        if f.objects is not None
    }
    return _assemble(plan, len(sources), columns, children)


async def _complete_async(plan: ObjectPlan, sources: list[Any], run: Run) -> list[dict[str, Any]]:
    columns, pending = _read(plan, sources, run)
    if pending:
        done = await _gather([awaitable for _, _, awaitable in pending])
        for (column, index, _), value in zip(pending, done, strict=True):
            column[index] = value
    children: dict[int, list[dict[str, Any]]] = {}
    later: list[tuple[int, Awaitable[list[dict[str, Any]]]]] = []
    for i, f, flat in _nested(plan, columns):
        assert f.objects is not None
        if f.objects.is_sync:
            children[i] = _complete_sync(f.objects, flat, run)
        else:
            later.append((i, _complete_async(f.objects, flat, run)))
    if len(later) == 1:
        children[later[0][0]] = await later[0][1]
    elif later:
        for (i, _), result in zip(later, await _gather([aw for _, aw in later]), strict=True):
            children[i] = result
    return _assemble(plan, len(sources), columns, children)


async def _gather(awaitables: list[Awaitable[Any]]) -> list[Any]:
    """`asyncio.gather`, but a failure cancels the rest: nothing outlives a failed plan."""
    tasks = [asyncio.ensure_future(aw) for aw in awaitables]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


Pending = list[tuple[list[Any], int, Any]]


def _read(plan: ObjectPlan, sources: list[Any], run: Run) -> tuple[list[list[Any]], Pending]:
    """Each field's raw value for every source (a column per field); awaitables left pending."""
    columns: list[list[Any]] = []
    pending: Pending = []
    for f in plan.fields:
        if f.read == TYPENAME:
            columns.append([plan.type_name] * len(sources))
        elif f.read == RESOLVER:
            column = _resolve(f, sources, run)
            for index, value in enumerate(column):
                if inspect.isawaitable(value):
                    pending.append((column, index, value))
            columns.append(column)
        else:
            name = f.python_name
            columns.append([getattr(source, name) for source in sources])
    return columns, pending


def _resolve(f: FieldPlan, sources: list[Any], run: Run) -> list[Any]:
    """Call the field's resolver as Strawberry would (`get_arguments`), once per source."""
    resolver, definition, node = f.resolver, f.definition, f.node
    assert resolver is not None and definition is not None and node is not None
    assert f.strawberry_field is not None
    converted: dict[str, Any] = {}
    if definition.args:
        executor = run.executor
        raw = get_argument_values(
            definition, node, executor.variable_values, None, executor.hide_suggestions
        )
        converted = convert_arguments(
            raw,
            f.strawberry_field.arguments,
            scalar_registry=run.scalars,
            config=run.config,
            info=run.info,  # type: ignore[arg-type]
        )
    own = resolver.self_parameter is not None
    parent, root, info = (
        resolver.parent_parameter,
        resolver.root_parameter,
        resolver.info_parameter,
    )
    column = []
    for source in sources:
        kwargs = dict(converted)
        if parent is not None:
            kwargs[parent.name] = source
        if root is not None:
            kwargs[root.name] = source
        if info is not None:
            kwargs[info.name] = run.info
        column.append(resolver(source, **kwargs) if own else resolver(**kwargs))
    return column


def _nested(plan: ObjectPlan, columns: list[list[Any]]) -> list[tuple[int, FieldPlan, list[Any]]]:
    """For each field with a selection, every object below it, in response order."""
    out = []
    for i, f in enumerate(plan.fields):
        if f.objects is None:
            continue
        flat: list[Any] = []
        check = f.objects.is_type_of
        for value in columns[i]:
            if value is None:
                if f.non_null:
                    raise PlanFailed(f"null for non-null {f.key}")
                continue
            items = _items(f, value) if f.is_list else (value,)
            for item in items:
                if item is None:
                    if f.item_non_null:
                        raise PlanFailed(f"null item for {f.key}")
                    continue
                if (
                    item is Undefined
                    or isinstance(item, Exception)
                    or (check is not None and check(item, None) is not True)
                ):
                    raise PlanFailed(f"unexpected value for {f.key}")
                flat.append(item)
        out.append((i, f, flat))
    return out


def _items(f: FieldPlan, value: Any) -> list[Any] | tuple[Any, ...]:
    if type(value) is not list and type(value) is not tuple:
        raise PlanFailed(f"{f.key} answered {type(value).__name__}, not a list")
    return value  # type: ignore[no-any-return]


def _assemble(
    plan: ObjectPlan,
    count: int,
    columns: list[list[Any]],
    children: dict[int, list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    if not plan.fields:  # every selection skipped: graphql-core answers {}
        return [{} for _ in range(count)]
    for i, f in enumerate(plan.fields):
        if f.read == TYPENAME:
            continue
        column = columns[i]
        if f.objects is not None:
            _place(f, column, iter(children[i]))
        else:
            _serialize(f, column)
    keys = plan.keys
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def _place(f: FieldPlan, column: list[Any], results: Any) -> None:
    """Replace each object (already checked by `_nested`) by its completed dict."""
    for index, value in enumerate(column):
        if value is None:
            continue
        if f.is_list:
            column[index] = [None if item is None else next(results) for item in value]
        else:
            column[index] = next(results)


def _serialize(f: FieldPlan, column: list[Any]) -> None:
    serialize, identity = f.serialize, f.identity
    assert serialize is not None
    for index, value in enumerate(column):
        if type(value) is identity and not f.is_list:
            continue  # `serialize` would hand back this very value
        if value is None:
            if f.non_null:
                raise PlanFailed(f"null for non-null {f.key}")
            continue
        if f.is_list:
            items = _items(f, value)
            column[index] = [_leaf(f, serialize, identity, item) for item in items]
        else:
            column[index] = _leaf(f, serialize, identity, value)


def _leaf(f: FieldPlan, serialize: Callable[[Any], Any], identity: type | None, value: Any) -> Any:
    if identity is not None and type(value) is identity:
        return value
    if value is None:
        if f.is_list and f.item_non_null:
            raise PlanFailed(f"null item for {f.key}")
        return None
    if value is Undefined or isinstance(value, Exception):
        raise PlanFailed(f"an error as the value of {f.key}")
    result = serialize(value)
    if result is None or result is Undefined:
        raise PlanFailed(f"{f.key} serialised to null")
    return result
