"""Compiled plans: a known query answered without graphql-core's per-field walk.

`compiler` turns an operation's selections into a plan once, `runner` answers it
for a request, and `executor` is where Strawberry runs it (with the cache of
plans). docs/architecture.md ("Compiled plans") says when a document is planned.
"""

from schema.common.plans.executor import PlannedExecutor, Plans, PlanStats, executor_class, plans_of

__all__ = ["PlanStats", "PlannedExecutor", "Plans", "executor_class", "plans_of"]
