"""`node(id:)`: how each surface fetches one object by global ID.

Each surface keeps its own `NodeRegistry`; each of its Node types registers the
loader that reads its row and how the row becomes the GraphQL object. The
registry applies `services.access.can_read` to every row, so a foreign ID and a
missing ID look exactly alike, and no type can forget the check.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from resolvers.context import RequestContext
from resolvers.ids import from_global_id
from resolvers.loaders import Loaders
from services.access import can_read

# The object for a readable row, or None when the type hides it (an archived product).
Wrap = Callable[[RequestContext, Any], Awaitable[Any]]


@dataclass(frozen=True)
class NodeSource:
    # The table the row comes from, for the ownership rule.
    model: type[Any]
    loader: Callable[[Loaders], DataLoader[int, Any]]
    wrap: Wrap


class NodeRegistry:
    def __init__(self) -> None:
        self._sources: dict[str, NodeSource] = {}

    def register(
        self,
        type_name: str,
        *,
        model: type[Any],
        loader: Callable[[Loaders], DataLoader[int, Any]],
        wrap: Wrap,
    ) -> None:
        if type_name in self._sources:
            raise ValueError(f"{type_name} is already registered")
        self._sources[type_name] = NodeSource(model=model, loader=loader, wrap=wrap)

    def type_names(self) -> list[str]:
        return sorted(self._sources)

    async def resolve(self, ctx: RequestContext, global_id: str) -> Any:
        parsed = from_global_id(global_id)
        if parsed is None or ctx.actor is None:
            return None
        source = self._sources.get(parsed[0])
        if source is None:
            return None
        row = await source.loader(ctx.loaders).load(parsed[1])
        if row is None or not can_read(ctx.actor, source.model, row):
            return None
        return await source.wrap(ctx, row)
