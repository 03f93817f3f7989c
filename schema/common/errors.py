"""The userErrors convention: one typed entry per refusal, and the payload helper."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from domain.errors import ServiceError
from domain.i18n import localize
from schema.common.enums import ErrorCode

P = TypeVar("P")


@strawberry.type(description="A refusal the customer can act on.")
class UserError:
    code: ErrorCode = strawberry.field(description="Machine-readable reason.")
    field: list[str] | None = strawberry.field(
        description="Path to the input field at fault, if one is."
    )
    # English, as the service wrote it; `message` translates it for the caller.
    text: strawberry.Private[str]

    @strawberry.field(description="Explanation in the customer's language.")
    def message(self, info: strawberry.Info) -> str:
        # A surface whose context names no language (the merchant's) answers English.
        return localize(self.text, getattr(info.context, "language", None))

    @classmethod
    def from_service(cls, error: ServiceError) -> UserError:
        return cls(code=error.code, field=error.field, text=error.message)


def _empty_fields(payload_type: Any) -> dict[str, Any]:
    """None for every payload field without a default (lists should default to [])."""
    return {
        f.name: None
        for f in dataclasses.fields(payload_type)
        if f.name != "user_errors"
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    }


async def payload(
    payload_type: Callable[..., P],
    work: Awaitable[dict[str, Any]],
    *,
    refused: Callable[[ServiceError], dict[str, Any]] | None = None,
) -> P:
    """Run a service call; a `ServiceError` becomes the payload's userErrors
    (one per field at fault when it is a `ServiceErrors`).

    Every other field of the payload is empty on refusal, except what `refused`
    fills in from the error (e.g. which items made buyAgain refuse). The service
    raised inside its transaction, so nothing it wrote survives.
    """
    try:
        fields = await work
    except ServiceError as error:
        fields = {**_empty_fields(payload_type), **(refused(error) if refused else {})}
        return payload_type(user_errors=[UserError.from_service(e) for e in error.errors], **fields)
    return payload_type(user_errors=[], **fields)
