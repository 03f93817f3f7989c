"""Builds the customer Schema from the domain modules.

Imports happen inside `build_schema` because the resolvers import the types
defined in this package; `schema.schema` is built on first access.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import strawberry

    from app.settings import Settings


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    from strawberry.extensions import (
        DisableIntrospection,
        MaxAliasesLimiter,
        MaxTokensLimiter,
        ParserCache,
        QueryDepthLimiter,
    )
    from strawberry.schema.config import StrawberryConfig
    from strawberry.tools import merge_types

    from app.settings import Settings
    from resolvers.address import AddressMutations
    from resolvers.auth import AuthMutations
    from resolvers.order import OrderMutations
    from resolvers.payment import PaymentMutations
    from resolvers.profile import ProfileMutations
    from resolvers.query import Query
    from resolvers.ticket import TicketMutations
    from schema.errors_log import LoggingSchema, MaskInternalErrors
    from schema.limits import LimitedValidationCache, QueryCostLimiter, QuerySizeLimiter

    settings = settings or Settings(app_env="development")
    query = merge_types("Query", (Query,))
    mutation = merge_types(
        "Mutation",
        (
            AuthMutations,
            ProfileMutations,
            AddressMutations,
            OrderMutations,
            PaymentMutations,
            TicketMutations,
        ),
    )
    extensions: list[Any] = [
        partial(MaxTokensLimiter, max_token_count=settings.max_query_tokens),
        partial(ParserCache, maxsize=256),
        partial(QueryDepthLimiter, max_depth=settings.max_query_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_query_aliases),
        # Before validation: the one limit that is linear in the document.
        partial(QuerySizeLimiter, max_fields=settings.max_query_fields),
        partial(LimitedValidationCache, maxsize=256),
        partial(QueryCostLimiter, max_cost=settings.max_query_cost),
        MaskInternalErrors,
    ]
    if not settings.introspection_enabled:
        extensions.append(DisableIntrospection)
    return LoggingSchema(
        query=query,
        mutation=mutation,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )


def __getattr__(name: str) -> Any:
    if name == "schema":
        built = build_schema()
        globals()["schema"] = built
        return built
    raise AttributeError(name)
