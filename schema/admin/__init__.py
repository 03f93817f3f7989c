"""The merchant surface (`/admin/graphql`): API-key callers over the same services.

It shares `schema.common` and `resolvers` with the customer surface and never
imports `schema.customer` (an import-linter independence contract says so).
`build_admin_schema` assembles it with the customer surface's query limits.
"""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from config import Settings
from schema.admin.checkouts import CheckoutMutations
from schema.admin.orders import FulfillmentMutations, OrderMutations
from schema.admin.products import ProductMutations, ProductQuery
from schema.admin.query import Query
from schema.admin.subscriptions import SubscriptionMutations
from schema.common.extensions import extensions_for
from schema.common.logging import LoggingSchema


def build_admin_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or Settings(app_env="development")
    extensions, config = extensions_for(settings)
    return LoggingSchema(
        query=merge_types("Query", (Query, ProductQuery)),
        mutation=merge_types(
            "Mutation",
            (
                OrderMutations,
                CheckoutMutations,
                FulfillmentMutations,
                ProductMutations,
                SubscriptionMutations,
            ),
        ),
        extensions=extensions,
        config=config,
    )
