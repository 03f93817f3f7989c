"""Error handling: internal faults are masked for the client and logged in full."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from models.availability import DatabaseUnavailable

log = logging.getLogger("graphql")


def is_internal(error: GraphQLError) -> bool:
    """True for unexpected exceptions; GraphQL and permission errors stay visible."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class LoggingSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        for error in errors:
            if isinstance(error.original_error, DatabaseUnavailable):
                # Logged once per outage where it was met; the response becomes a 503.
                continue
            if is_internal(error):
                original = error.original_error
                assert original is not None
                log.error(
                    "unhandled error in %s: %s",
                    ".".join(str(p) for p in error.path or ()) or "operation",
                    original,
                    exc_info=(type(original), original, original.__traceback__),
                )
            else:
                log.info("graphql error: %s", error.message)


class MaskInternalErrors(MaskErrors):
    """Replaces an internal fault with a generic message and the request id to quote."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_internal, error_message="Internal server error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={
                "code": "INTERNAL_SERVER_ERROR",
                "requestId": getattr(self.execution_context.context, "request_id", "-"),
            },
        )
