"""The customer surface (`/graphql`): `build_schema` assembles it from its modules."""

from __future__ import annotations

from functools import partial
from typing import Any

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from config import Settings
from schema.common.limits import LimitedValidationCache, QueryCostLimiter, QuerySizeLimiter
from schema.common.logging import LoggingSchema, MaskInternalErrors
from schema.customer.mutations.addresses import AddressMutations
from schema.customer.mutations.auth import AuthMutations
from schema.customer.mutations.orders import OrderMutations
from schema.customer.mutations.payments import PaymentMutations
from schema.customer.mutations.profile import ProfileMutations
from schema.customer.mutations.tickets import TicketMutations
from schema.customer.query import Query


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
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
