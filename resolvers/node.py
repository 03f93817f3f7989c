"""`node(id:)`: each Node type registers how to fetch one object for its owner.

A fetcher returns None for anything the viewer does not own, so a foreign ID
and a missing ID look exactly alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from schema.node import from_global_id

if TYPE_CHECKING:
    from schema.context import Info

Fetch = Callable[["Info", int], Awaitable[Any]]
_FETCHERS: dict[str, Fetch] = {}


def node_fetcher(type_name: str) -> Callable[[Fetch], Fetch]:
    def register(fn: Fetch) -> Fetch:
        _FETCHERS[type_name] = fn
        return fn

    return register


def registered_types() -> list[str]:
    return sorted(_FETCHERS)


async def resolve_node(info: Info, global_id: str) -> Any:
    parsed = from_global_id(global_id)
    if parsed is None or info.context.viewer is None:
        return None
    fetch = _FETCHERS.get(parsed[0])
    return None if fetch is None else await fetch(info, parsed[1])
