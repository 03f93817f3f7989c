"""Refusals: the closed set of error codes, and the exceptions services raise.

The GraphQL layer turns a `ServiceError` into a `userErrors` entry whose code
is `ErrorCode` itself (the GraphQL enum is built from it). Because a service
raises it inside its transaction, everything the mutation wrote is rolled back.
An input with several fields at fault raises `ServiceErrors`, which holds one
`ServiceError` per field (see `FieldErrors`), so the customer fixes a form in
one round trip.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
    # The same store id was sent again with different content.
    CONFLICT = "CONFLICT"


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

    @property
    def errors(self) -> list[ServiceError]:
        """Every refusal this exception carries: itself alone."""
        return [self]


class ServiceErrors(ServiceError):
    """Several refusals at once. A `ServiceError` too (its code, message and field
    are the first one's), so every `except ServiceError` still catches it."""

    def __init__(self, errors: Sequence[ServiceError]) -> None:
        if not errors:
            raise ValueError("ServiceErrors needs at least one error")
        flat = [each for error in errors for each in error.errors]
        super().__init__(flat[0].code, flat[0].message, flat[0].field)
        self._errors = flat

    @property
    def errors(self) -> list[ServiceError]:
        return list(self._errors)

    def __repr__(self) -> str:
        return f"ServiceErrors({self._errors!r})"


class FieldErrors:
    """Collects the refusals of an input's fields, then raises them together.

        errors = FieldErrors()
        with errors.check():
            city = clean_city(raw["city"])          # may raise ServiceError
        with errors.check():
            line1 = clean_line1(raw["line1"])
        errors.raise_any()                          # ServiceErrors with both

    A check that depends on an earlier field asks `errors.failed(field)` first,
    so it does not report a second error that only echoes the first.
    """

    def __init__(self) -> None:
        self.errors: list[ServiceError] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except ServiceError as error:
            self.errors.extend(error.errors)

    def add(self, code: ErrorCode, message: str, field: Sequence[str] | None = None) -> None:
        self.errors.append(ServiceError(code, message, field))

    def failed(self, field: Sequence[str]) -> bool:
        return any(error.field == list(field) for error in self.errors)

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ServiceErrors(self.errors)
