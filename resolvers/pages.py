"""Reading one page of a paginated field, with the one answer for bad paging input."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from graphql import GraphQLError

from domain.errors import ServiceError
from plumbing.pagination import InvalidCursor, Page
from resolvers.context import RequestContext


def bad_user_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


async def read_page(ctx: RequestContext, read: Awaitable[Page[Any]]) -> Page[Any]:
    """Run a page read to completion; a bad cursor, page size or filter is BAD_USER_INPUT.

    Paging arguments are not mutation input, so they fail the field (a GraphQL
    error naming what is wrong) rather than answering with userErrors.
    """
    try:
        return await ctx.loaders.run(read)
    except InvalidCursor as error:
        raise bad_user_input(str(error).capitalize()) from None
    except ServiceError as error:
        raise bad_user_input(error.message) from None
