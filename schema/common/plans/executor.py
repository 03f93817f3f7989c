"""The executor that answers a known query from its plan, and the cache of plans.

Strawberry hands graphql-core this executor class; everything before execution
(parsing, the limits, validation, the cost) and after it (error masking, the
`extensions`, the HTTP response) stays as it is. Only the root selection set
of a query is answered differently: from the plan compiled for its document,
or, when there is none or the plan fails, by graphql-core as always.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from graphql import (
    DirectiveNode,
    GraphQLObjectType,
    OperationType,
    VariableNode,
    Visitor,
    visit,
)
from graphql.execution.collect_fields import DeferUsage, GroupedFieldSet
from graphql.language import DocumentNode
from graphql.pyutils import AwaitableOrValue
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.common.plans.compiler import ObjectPlan, Unplannable, compile_objects
from schema.common.plans.runner import run_plan

log = logging.getLogger("graphql.plans")

# Distinct (document, operation) pairs whose plan (or refusal) is kept.
PLAN_CACHE_SIZE = 256
# Plans kept per document, one per combination of its @include/@skip variables.
PLANS_PER_DOCUMENT = 16


@dataclass
class PlanStats:
    """What the cache did since start-up, for tests and the bench."""

    compiled: int = 0
    refused: int = 0
    served: int = 0
    fallbacks: int = 0


@dataclass
class _Entry:
    # Variables that decide an @include or @skip: each combination has its own plan.
    variables: tuple[str, ...]
    plans: dict[tuple[Any, ...], ObjectPlan | None] = field(default_factory=dict)


class Plans:
    """Plans by (document text, operation name), least recently used dropped first."""

    def __init__(self, maxsize: int = PLAN_CACHE_SIZE) -> None:
        self.maxsize = maxsize
        self.stats = PlanStats()
        self._entries: OrderedDict[tuple[str, str | None], _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(
        self, executor: Any, root_type: GraphQLObjectType, grouped: GroupedFieldSet
    ) -> ObjectPlan | None:
        operation = executor.operation
        if operation.loc is None:
            return None
        document_text = operation.loc.source.body
        key = (document_text, operation.name.value if operation.name else None)
        entry = self._entries.get(key)
        if entry is None:
            entry = _Entry(_directive_variables(executor))
            self._entries[key] = entry
            if len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        coerced = executor.variable_values.coerced
        choice = tuple(coerced.get(name) for name in entry.variables)
        if choice in entry.plans:
            return entry.plans[choice]
        plan: ObjectPlan | None = None
        try:
            plan = compile_objects(executor, root_type, grouped)
            self.stats.compiled += 1
        except Unplannable as reason:
            self.stats.refused += 1
            log.debug("not planned: %s", reason)
        except Exception:
            self.stats.refused += 1
            log.warning("compiling a plan failed; the executor answers", exc_info=True)
        if len(entry.plans) < PLANS_PER_DOCUMENT:
            entry.plans[choice] = plan
        return plan


def _directive_variables(executor: Any) -> tuple[str, ...]:
    """Every variable an @include or @skip of the document reads."""
    names: list[str] = []

    class Directives(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            if node.name.value in ("include", "skip"):
                for argument in node.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        name = argument.value.name.value
                        if name not in names:
                            names.append(name)

    document = DocumentNode(
        definitions=(executor.operation, *executor.fragment_definitions.values())
    )
    visit(document, Directives())
    return tuple(names)


class PlannedExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, answering a planned query from its plan."""

    plans: ClassVar[Plans]

    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> AwaitableOrValue[dict[str, Any]]:
        general = super().execute_collected_root_fields
        if (
            self.operation.operation != OperationType.QUERY
            or new_defer_usages
            or (self.middleware_manager is not None and self.middleware_manager.middlewares)
        ):
            return general(root_type, root_value, grouped_field_set, serially, new_defer_usages)
        try:
            plan = self.plans.lookup(self, root_type, grouped_field_set)
        except Exception:
            log.warning("looking up a plan failed; the executor answers", exc_info=True)
            plan = None
        if plan is None:
            return general(root_type, root_value, grouped_field_set, serially, new_defer_usages)
        return self._planned(
            plan, root_type, root_value, grouped_field_set, serially, new_defer_usages
        )

    async def _planned(
        self,
        plan: ObjectPlan,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> dict[str, Any]:
        field_errors: list[Any] | None = getattr(self.context_value, "field_errors", None)
        reported = len(field_errors) if field_errors is not None else 0
        try:
            data = await run_plan(plan, root_value, self)
            if field_errors is not None and len(field_errors) > reported:
                raise Unplannable("a field reported an error")
        except Exception as reason:
            # A query reads only, so running it again is safe; the executor's answer
            # carries the errors (and their paths) the plan does not produce.
            self.plans.stats.fallbacks += 1
            log.debug("plan fell back to the executor: %r", reason)
            if field_errors is not None:
                del field_errors[reported:]
            result = super().execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )
            if self.is_awaitable(result):
                return await result  # type: ignore[no-any-return]
            return result  # type: ignore[return-value]
        self.plans.stats.served += 1
        return data


def executor_class(plans: Plans) -> type[PlannedExecutor]:
    """An executor class answering from `plans` (one cache per schema)."""
    return type("PlannedExecutor", (PlannedExecutor,), {"plans": plans})


def plans_of(schema: Any) -> Plans | None:
    """The plan cache of a schema built with `executor_class`, else None."""
    cls = getattr(schema, "execution_context_class", None)
    return getattr(cls, "plans", None)
