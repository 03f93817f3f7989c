"""The payment-gateway seam and the built-in test gateway.

Card details are typed into the gateway's own form in the browser, which hands
the storefront a one-time token; this service only ever vaults that token and
keeps the display details (brand, last four digits, expiry), so no card number
ever reaches it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from adapters.clock import Clock
from domain.i18n import _

RefusalReason = Literal["declined", "expired", "invalid_token"]


@dataclass(frozen=True)
class VaultedCard:
    """What the gateway tells us about a card it now stores for us."""

    reference: str
    brand: str
    last4: str
    expiry_month: int
    expiry_year: int


@dataclass(frozen=True)
class Charge:
    """Money taken from a vaulted card: the gateway's charge id, and what it took."""

    id: str
    amount: Decimal
    currency: str


class GatewayError(Exception):
    """The gateway refused the token or the charge."""

    def __init__(self, reason: RefusalReason, message: str) -> None:
        super().__init__(message)
        self.reason: RefusalReason = reason
        self.message = message


class PaymentGateway(Protocol):
    name: str

    async def vault(self, token: str) -> VaultedCard:
        """Store the card behind a one-time token; raises GatewayError on refusal."""
        ...

    async def charge(
        self, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> Charge:
        """Charge a vaulted card; raises GatewayError("declined", ...) on refusal.

        Idempotent per key: asked again with the same key, the gateway answers with
        the first charge and takes no more money.
        """
        ...


# Stripe's documented test tokens, so a storefront wired to Stripe test mode and
# this gateway behave alike.
_TEST_CARDS: dict[str, tuple[str, str]] = {
    "tok_visa": ("Visa", "4242"),
    "tok_mastercard": ("Mastercard", "4444"),
    "tok_amex": ("Amex", "8431"),
    # Vaults fine; every charge on it is declined.
    "tok_chargeCustomerFail": ("Visa", "0341"),
}
_DECLINING_TOKENS = frozenset({"tok_chargeCustomerFail"})
# References of cards whose charges fail carry this prefix, so charging needs no memory.
_DECLINING_PREFIX = "card_test_declines_"
_TEST_REFUSALS: dict[str, tuple[RefusalReason, str]] = {
    "tok_chargeDeclined": ("declined", _("The card was declined. Try another card.")),
    "tok_chargeDeclinedExpiredCard": ("expired", _("The card has expired. Try another card.")),
}
# Test cards stay valid this many years from "now", whatever the clock says.
_TEST_CARD_YEARS = 3
# How many recent charges the test gateway lists, as a dashboard would.
_CHARGES_LISTED = 1000


class BuiltinTestGateway:
    """The embedded gateway: Stripe-style test tokens, no network."""

    name = "test"

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        # Every charge call answered, newest last: what the gateway's dashboard would
        # list. Idempotency does not rely on it (the charge id derives from the key).
        self.charges: deque[Charge] = deque(maxlen=_CHARGES_LISTED)

    async def vault(self, token: str) -> VaultedCard:
        refusal = _TEST_REFUSALS.get(token)
        if refusal is not None:
            raise GatewayError(*refusal)
        card = _TEST_CARDS.get(token)
        if card is None:
            raise GatewayError("invalid_token", _("The payment token is not valid."))
        now = self.clock.now()
        prefix = _DECLINING_PREFIX if token in _DECLINING_TOKENS else "card_test_"
        return VaultedCard(
            # A fresh reference per call, as a real gateway vaults each token anew.
            reference=f"{prefix}{secrets.token_hex(12)}",
            brand=card[0],
            last4=card[1],
            expiry_month=now.month,
            expiry_year=now.year + _TEST_CARD_YEARS,
        )

    async def charge(
        self, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> Charge:
        if reference.startswith(_DECLINING_PREFIX):
            raise GatewayError("declined", _("The card was declined. Try another card."))
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        made = Charge(id=f"ch_test_{digest}", amount=amount, currency=currency)
        self.charges.append(made)
        return made
