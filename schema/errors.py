"""The userErrors convention: one typed entry per refusal."""

from __future__ import annotations

from enum import Enum

import strawberry

from services.errors import ServiceError


@strawberry.enum(description="Why a mutation was refused.")
class UserErrorCode(Enum):
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


@strawberry.type(description="A refusal the customer can act on.")
class UserError:
    code: UserErrorCode = strawberry.field(description="Machine-readable reason.")
    field: list[str] | None = strawberry.field(
        description="Path to the input field at fault, if one is."
    )
    message: str = strawberry.field(description="Explanation in the customer's language.")

    @classmethod
    def from_service(cls, error: ServiceError) -> UserError:
        return cls(code=UserErrorCode(error.code), field=error.field, message=error.message)
