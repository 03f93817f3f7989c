"""The payment-gateway seam and the built-in test gateway.

Card details are typed into the gateway's own form in the browser, which hands
the storefront a one-time token; this service only ever vaults that token and
keeps the display details (brand, last four digits, expiry), so no card number
ever reaches it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal, Protocol

from adapters.clock import Clock

RefusalReason = Literal["declined", "expired", "invalid_token"]


@dataclass(frozen=True)
class VaultedCard:
    """What the gateway tells us about a card it now stores for us."""

    reference: str
    brand: str
    last4: str
    expiry_month: int
    expiry_year: int


class GatewayError(Exception):
    """The gateway refused the token."""

    def __init__(self, reason: RefusalReason, message: str) -> None:
        super().__init__(message)
        self.reason: RefusalReason = reason
        self.message = message


class PaymentGateway(Protocol):
    name: str

    async def vault(self, token: str) -> VaultedCard:
        """Store the card behind a one-time token; raises GatewayError on refusal."""
        ...


# Stripe's documented test tokens, so a storefront wired to Stripe test mode and
# this gateway behave alike.
_TEST_CARDS: dict[str, tuple[str, str]] = {
    "tok_visa": ("Visa", "4242"),
    "tok_mastercard": ("Mastercard", "4444"),
    "tok_amex": ("Amex", "8431"),
}
_TEST_REFUSALS: dict[str, tuple[RefusalReason, str]] = {
    "tok_chargeDeclined": ("declined", "The card was declined. Try another card."),
    "tok_chargeDeclinedExpiredCard": ("expired", "The card has expired. Try another card."),
}
# Test cards stay valid this many years from "now", whatever the clock says.
_TEST_CARD_YEARS = 3


class BuiltinTestGateway:
    """The embedded gateway: Stripe-style test tokens, no network."""

    name = "test"

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def vault(self, token: str) -> VaultedCard:
        refusal = _TEST_REFUSALS.get(token)
        if refusal is not None:
            raise GatewayError(*refusal)
        card = _TEST_CARDS.get(token)
        if card is None:
            raise GatewayError("invalid_token", "The payment token is not valid.")
        now = self.clock.now()
        return VaultedCard(
            # A fresh reference per call, as a real gateway vaults each token anew.
            reference=f"card_test_{secrets.token_hex(12)}",
            brand=card[0],
            last4=card[1],
            expiry_month=now.month,
            expiry_year=now.year + _TEST_CARD_YEARS,
        )
