"""Refusals: the closed set of error codes, and the one exception services raise.

The GraphQL layer turns a `ServiceError` into a `userErrors` entry whose code
is `ErrorCode` itself (the GraphQL enum is built from it). Because a service
raises it inside its transaction, everything the mutation wrote is rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum, unique


@unique
class ErrorCode(StrEnum):
    """Why a request was refused; every refusal a client can see has one of these."""

    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    ACTION_DISABLED = "ACTION_DISABLED"
    NOT_ALLOWED_IN_STATE = "NOT_ALLOWED_IN_STATE"
    TAKEN = "TAKEN"
    CODE_INVALID = "CODE_INVALID"
    CODE_EXPIRED = "CODE_EXPIRED"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    RATE_LIMITED = "RATE_LIMITED"
    DISCOUNT_INVALID = "DISCOUNT_INVALID"
    PAYMENT_DECLINED = "PAYMENT_DECLINED"
    CARD_EXPIRED = "CARD_EXPIRED"


class ServiceError(Exception):
    """A refusal the caller should see: a code, a message and the input field at fault."""

    def __init__(self, code: ErrorCode, message: str, field: Sequence[str] | None = None) -> None:
        super().__init__(message)
        # ErrorCode(...) refuses a code outside the vocabulary, even from untyped callers.
        self.code = ErrorCode(code)
        self.message = message
        self.field = list(field) if field is not None else None

    def __repr__(self) -> str:
        return f"ServiceError({self.code.value!r}, {self.message!r}, field={self.field!r})"
