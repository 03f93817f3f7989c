"""The built-in gateway's charges: one per idempotency key, and a card that always declines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.clock import ManualClock
from adapters.gateway import BuiltinTestGateway, GatewayError


async def test_the_same_key_returns_the_same_charge(clock: ManualClock) -> None:
    gateway = BuiltinTestGateway(clock)
    card = await gateway.vault("tok_visa")

    first = await gateway.charge(card.reference, Decimal("16.15"), "USD", "getnow:1:2026-11-21:1")
    again = await gateway.charge(card.reference, Decimal("16.15"), "USD", "getnow:1:2026-11-21:1")
    other = await gateway.charge(card.reference, Decimal("16.15"), "USD", "getnow:1:2026-11-22:1")

    assert again.id == first.id
    assert other.id != first.id
    # A new gateway (another process) answers the key alike: nothing is remembered.
    assert (
        await BuiltinTestGateway(clock).charge(
            card.reference, Decimal("16.15"), "USD", "getnow:1:2026-11-21:1"
        )
    ).id == first.id


async def test_a_charge_customer_fail_card_vaults_and_declines(clock: ManualClock) -> None:
    gateway = BuiltinTestGateway(clock)
    card = await gateway.vault("tok_chargeCustomerFail")

    with pytest.raises(GatewayError) as refused:
        await gateway.charge(card.reference, Decimal("1.00"), "USD", "key")

    assert (card.brand, card.last4) == ("Visa", "0341")
    assert refused.value.reason == "declined"
    assert list(gateway.charges) == []
