"""The customer surface (`/graphql`): `build_schema` assembles it from its modules."""

from __future__ import annotations

from functools import partial
from typing import Any

import strawberry
from graphql.validation import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    max_aliases,
    query_depth_limiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from config import Settings
from schema.common.limits import LimitedValidationCache, QueryCostLimiter, QuerySizeLimiter
from schema.common.logging import LoggingSchema, MaskInternalErrors
from schema.common.operations import OperationGuard
from schema.common.plans import Plans, executor_class
from schema.common.repetition import QueryRepetitionLimiter
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

# Distinct documents whose validation result is kept (shared by every schema in the process).
VALIDATION_CACHE_SIZE = 256


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
    # The depth and alias rules are built once, here: the validation cache is
    # keyed by the rule classes, and Strawberry's QueryDepthLimiter and
    # MaxAliasesLimiter build new ones for every request, so it would never hit.
    rules: list[type[ASTValidationRule]] = [
        query_depth_limiter.create_validator(settings.max_query_depth, None, None),
        max_aliases.create_validator(settings.max_query_aliases),
    ]
    extensions: list[Any] = [
        partial(MaxTokensLimiter, max_token_count=settings.max_query_tokens),
        partial(ParserCache, maxsize=256),
        partial(AddValidationRules, rules),
        # Before the validation cache, which may answer without validating.
        OperationGuard,
        # Before validation: the one limit that is linear in the document.
        partial(QuerySizeLimiter, max_fields=settings.max_query_fields),
        partial(QueryRepetitionLimiter, max_repeats=settings.max_query_repeats),
        partial(LimitedValidationCache, maxsize=VALIDATION_CACHE_SIZE),
        partial(QueryCostLimiter, max_cost=settings.max_query_cost),
        MaskInternalErrors,
    ]
    if not settings.introspection_enabled:
        extensions.append(DisableIntrospection)
    return LoggingSchema(
        query=query,
        mutation=mutation,
        extensions=extensions,
        execution_context_class=executor_class(Plans()) if settings.compiled_plans else None,
        # "Did you mean 'name'?" reveals the schema as introspection does: off together.
        config=StrawberryConfig(
            auto_camel_case=True, disable_field_suggestions=not settings.introspection_enabled
        ),
    )
