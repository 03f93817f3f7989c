"""Shared by the getNow tests: the mutation, and counting what an early order leaves behind."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from adapters.gateway import BuiltinTestGateway
from models.address import PaymentMethod
from models.events import IdempotencyKey
from models.merchant import DiscountCode, DiscountRedemption
from models.order import Order
from models.subscription import Subscription, SubscriptionDiscount
from plumbing.runtime import Runtime
from tests.graphql.subscriptions_support import SUBSCRIPTION_FIELDS

ORDER_FIELDS = """
  id number status fulfillmentStatus
  lineItems { title variantTitle sku quantity unitPrice { amount } totalPrice { amount } }
  summary { subtotal { amount } discounts { code title amount { amount } } total { amount } }
  paymentMethod { brand last4 }
  shippingAddress { line1 city }
  invoice { number }
  timeline { status }
  subscription { id }
"""

GET_NOW = (
    "mutation($input: GetNowInput!) { getNow(input: $input) { order { "
    + ORDER_FIELDS
    + " } subscription { "
    + SUBSCRIPTION_FIELDS
    + " } userErrors { code field message } } }"
)


def charges(rt: Runtime) -> list[Any]:
    """What the test gateway charged, as its dashboard would list it."""
    assert isinstance(rt.gateway, BuiltinTestGateway)
    return list(rt.gateway.charges)


async def count(rt: Runtime, table: Any) -> int:
    async with rt.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def orders_of(rt: Runtime, sub: Subscription) -> list[Order]:
    async with rt.db.read() as session:
        rows = await session.scalars(
            select(Order).where(Order.subscription_id == sub.id)  # type: ignore[arg-type]
        )
        return list(rows)


async def usage(rt: Runtime) -> dict[str, Any]:
    """Discount usage and idempotency keys: what a refused getNow must leave as it was."""
    async with rt.db.read() as session:
        used = (await session.execute(select(DiscountCode.code, DiscountCode.times_used))).all()
        applied = (
            await session.execute(
                select(SubscriptionDiscount.subscription_id, SubscriptionDiscount.discount_code_id)
            )
        ).all()
    return {
        "times_used": sorted(used),
        "applied": sorted(applied),
        "redemptions": await count(rt, DiscountRedemption),
        "keys": await count(rt, IdempotencyKey),
        "orders": await count(rt, Order),
    }


async def apply_codes(rt: Runtime, sub: Subscription, *codes: DiscountCode) -> None:
    """Put codes on a subscription as applying them would, in this order."""
    async with rt.db.transaction() as session:
        for code in codes:
            assert code.id is not None and sub.id is not None
            session.add(
                SubscriptionDiscount(
                    subscription_id=sub.id, discount_code_id=code.id, applied_at=rt.clock.now()
                )
            )
            await session.flush()


async def card_by_last4(rt: Runtime, customer_id: int | None, last4: str) -> PaymentMethod:
    async with rt.db.read() as session:
        row = await session.scalar(
            select(PaymentMethod).where(
                PaymentMethod.customer_id == customer_id,  # type: ignore[arg-type]
                PaymentMethod.last4 == last4,  # type: ignore[arg-type]
            )
        )
    assert row is not None
    return row
