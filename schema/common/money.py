"""Money: an exact decimal amount and its ISO 4217 currency."""

from __future__ import annotations

from decimal import Decimal

import strawberry


@strawberry.type(description="An amount of money; never a float.")
class Money:
    amount: Decimal = strawberry.field(description='Decimal amount, e.g. "19.99".')
    currency_code: str = strawberry.field(description="ISO 4217 currency code.")


CENT = Decimal("0.01")


def money(amount: Decimal, currency: str) -> Money:
    """Money with the amount written the same on every backend, never rounded.

    PostgreSQL hands NUMERIC(14,4) back as 9.0000, SQLite as the 9.00 it stored;
    both become "9.00", while a sub-cent amount keeps its digits.
    """
    exact = amount.quantize(CENT) if amount == amount.quantize(CENT) else amount.normalize()
    return Money(amount=exact, currency_code=currency)
