"""The limits and error handling every surface runs: one place, so both surfaces agree."""

from __future__ import annotations

from functools import partial
from typing import Any

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

from config import Settings
from schema.common.limits import LimitedValidationCache, QueryCostLimiter, QuerySizeLimiter
from schema.common.logging import MaskInternalErrors
from schema.common.operations import OperationGuard
from schema.common.repetition import QueryRepetitionLimiter

# Distinct documents whose validation result is kept (shared by every schema in the process).
VALIDATION_CACHE_SIZE = 256


def extensions_for(settings: Settings) -> tuple[list[Any], StrawberryConfig]:
    """The schema extensions (limits, caches, masking) and config for `settings`."""
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
    # "Did you mean 'name'?" reveals the schema as introspection does: off together.
    config = StrawberryConfig(
        auto_camel_case=True, disable_field_suggestions=not settings.introspection_enabled
    )
    return extensions, config
