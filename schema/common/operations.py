"""Which operation a request runs, and the errors of fields that still answered."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError

from resolvers.context import RequestContext


class OperationNameRequired(CannotGetOperationTypeError):
    """Several operations and no `operationName`: the spec's GetOperation fails.

    A subclass of Strawberry's own refusal, so the HTTP view answers it with 400
    before anything runs.
    """

    def __init__(self) -> None:
        super().__init__(None)

    def as_http_error_reason(self) -> str:
        return "The document has several operations: name the one to run in `operationName`."


class OperationGuard(SchemaExtension):
    """Refuses an unnamed choice among several operations (Strawberry would run
    the first), records the operation's name for the access log, and reports
    the errors of fields that answered a value anyway."""

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        # Strawberry fills `operation_name` with the first operation's name when
        # the client gave none; only the name the client sent decides here.
        given = getattr(ctx, "_provided_operation_name", None)
        if document is not None and given is None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                raise OperationNameRequired
        if isinstance(ctx.context, RequestContext):
            ctx.context.operation_name = ctx.operation_name
        yield

    def on_execute(self) -> Iterator[None]:
        yield
        context, result = self.execution_context.context, self.execution_context.result
        if isinstance(context, RequestContext) and context.field_errors and result is not None:
            result.errors = [*(result.errors or []), *context.field_errors]
