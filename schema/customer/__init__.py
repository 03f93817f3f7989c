"""The customer surface (`/graphql`): `build_schema` assembles it from its modules."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from config import Settings
from schema.common.extensions import VALIDATION_CACHE_SIZE, extensions_for
from schema.common.logging import LoggingSchema
from schema.common.plans import Plans, executor_class
from schema.customer.mutations.addresses import AddressMutations
from schema.customer.mutations.auth import AuthMutations
from schema.customer.mutations.orders import OrderMutations
from schema.customer.mutations.payments import PaymentMutations
from schema.customer.mutations.profile import ProfileMutations
from schema.customer.mutations.subscription_billing import SubscriptionBillingMutations
from schema.customer.mutations.subscription_lines import SubscriptionLineMutations
from schema.customer.mutations.subscription_orders import SubscriptionOrderMutations
from schema.customer.mutations.subscriptions import SubscriptionScheduleMutations
from schema.customer.mutations.tickets import TicketMutations
from schema.customer.query import Query

__all__ = ["VALIDATION_CACHE_SIZE", "build_schema"]


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
            SubscriptionScheduleMutations,
            SubscriptionOrderMutations,
            SubscriptionLineMutations,
            SubscriptionBillingMutations,
        ),
    )
    extensions, config = extensions_for(settings)
    return LoggingSchema(
        query=query,
        mutation=mutation,
        extensions=extensions,
        execution_context_class=executor_class(Plans()) if settings.compiled_plans else None,
        config=config,
    )
