"""Relay connections: `PageInfo`, and the one builder every paginated field uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from graphql.pyutils import Path

from plumbing.pagination import DEFAULT_PAGE, MAX_PAGE, Page
from resolvers.context import RequestContext
from resolvers.pages import read_page

C = TypeVar("C")
R = TypeVar("R")

# For the description of every paginated field: clients read the bound there.
PAGING = (
    f"Page size (`first`, and `last` where offered): 0 to {MAX_PAGE}, default {DEFAULT_PAGE}; "
    "any other is an error."
)


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")

    @classmethod
    def from_page(cls, page: Page[Any]) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )


async def connection(
    ctx: RequestContext,
    read: Awaitable[Page[R]],
    *,
    connection_type: Callable[..., C],
    edge_type: Callable[..., Any],
    node: Callable[[R], Any],
    path: Path | None = None,
) -> C:
    """Read one page and shape it as `connection_type(edges=[edge_type(cursor, node)], page_info)`.

    A bad cursor or page size is the same BAD_USER_INPUT error on every field
    (see `resolvers.pages.read_page`). Given the field's `path` (`info.path`),
    that error is reported at the path and the connection answers empty: the
    contract makes connections non-null, so raising would null the parent
    (`me`) and every sibling field with it.
    """
    try:
        page: Page[R] = await read_page(ctx, read)
    except GraphQLError as error:
        if path is None:
            raise
        ctx.field_errors.append(
            GraphQLError(error.message, path=path.as_list(), extensions=error.extensions)
        )
        return connection_type(
            edges=[],
            page_info=PageInfo(
                has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
            ),
        )
    return connection_type(
        edges=[
            edge_type(cursor=cursor, node=node(row))
            for row, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=PageInfo.from_page(page),
    )
