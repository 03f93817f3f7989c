"""Demo data for the subscription portal: Ada has a subscription in every state.

- Morning coffee: active, monthly with three frequencies offered, a one-time mug of tea
  added, and a 10% code on every order;
- Tea club: active, every two weeks, the only frequency offered;
- Decaf prepaid: six months paid in advance;
- Espresso: paused for a month;
- Earl Grey: cancelled ("too much"), ready to reactivate;
- Breakfast blend: due today, so the worker beside `make demo` places its order at once.
The store offers three pauses, four cancel reasons, a retention offer, upsells and
three discount codes (one expired).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from demo import subscription_builders as builders
from domain.schedule import Interval, shop_today
from domain.statuses import DiscountKind, SubscriptionStatus
from models.address import ADDRESS_FIELDS, Address, PaymentMethod
from models.catalog import Product, ProductVariant
from models.customer import Customer
from models.shop import SHOP_ID, Shop
from models.subscription import SubscriptionDiscount
from plumbing.runtime import Runtime

UPSELLS = ("sencha-green-tea", "masala-chai", "earl-grey-supreme")
SWAPS_OFF = ("cold-brew-pack",)


async def _variants(session: AsyncSession) -> dict[str, list[ProductVariant]]:
    rows = await session.execute(
        select(col(Product.handle), ProductVariant)
        .join(ProductVariant, col(ProductVariant.product_id) == col(Product.id))
        .order_by(col(ProductVariant.position), col(ProductVariant.id))
    )
    found: dict[str, list[ProductVariant]] = {}
    for handle, variant in rows.all():
        found.setdefault(handle, []).append(variant)
    return found


async def seed_subscriptions(
    rt: Runtime, session: AsyncSession, customers: dict[str, Customer]
) -> None:
    now = rt.clock.now()
    today = now.date()
    await session.execute(
        update(Product).where(col(Product.handle).in_(UPSELLS)).values(upsell_eligible=True)
    )
    await session.execute(
        update(Product).where(col(Product.handle).in_(SWAPS_OFF)).values(swap_eligible=False)
    )
    await builders.portal_options(session)
    every_order = await builders.discount_code(
        session,
        code="WELCOME10",
        title="10% off every order",
        kind=DiscountKind.PERCENTAGE,
        value=Decimal("10"),
        recurring=True,
    )
    await builders.discount_code(
        session,
        code="FIVEOFF",
        title="$5 off your next order",
        kind=DiscountKind.FIXED_AMOUNT,
        value=Decimal("5"),
        min_subtotal=Decimal("30"),
        per_customer_limit=1,
    )
    await builders.discount_code(
        session,
        code="SUMMER25",
        title="Summer sale",
        kind=DiscountKind.PERCENTAGE,
        value=Decimal("25"),
        expires_at=now - timedelta(days=60),
    )
    ada = customers["ada"]
    v = await _variants(session)
    card = await session.scalar(
        select(PaymentMethod).where(
            col(PaymentMethod.customer_id) == ada.id, col(PaymentMethod.is_default).is_(True)
        )
    )
    home = await session.scalar(
        select(Address).where(
            col(Address.customer_id) == ada.id, col(Address.is_default_shipping).is_(True)
        )
    )
    address = {name: getattr(home, name) for name in ADDRESS_FIELDS} if home else None
    common: dict[str, Any] = {"customer": ada, "payment_method": card, "shipping_address": address}
    monthly = [(Interval.MONTH, 1), (Interval.WEEK, 2), (Interval.MONTH, 2)]
    morning, _ = await builders.subscription(
        session,
        lines=[
            builders.SubLine(v["house-blend"][1], 2),
            builders.SubLine(v["masala-chai"][0], 1, one_time=True),
        ],
        next_order_date=today + timedelta(days=6),
        created_at=now - timedelta(days=200),
        allowed=monthly,
        **common,
    )
    assert morning.id is not None and every_order.id is not None
    session.add(
        SubscriptionDiscount(
            subscription_id=morning.id, discount_code_id=every_order.id, applied_at=now
        )
    )
    await builders.subscription(
        session,
        lines=[
            builders.SubLine(v["earl-grey-supreme"][0], 1),
            builders.SubLine(v["sencha-green-tea"][0], 1),
        ],
        next_order_date=today + timedelta(days=3),
        created_at=now - timedelta(days=120),
        frequency=(Interval.WEEK, 2),
        **common,
    )
    await builders.subscription(
        session,
        lines=[builders.SubLine(v["colombia-huila-decaf"][0], 1)],
        next_order_date=today + timedelta(days=12),
        created_at=now - timedelta(days=40),
        prepaid_cycles=6,
        **common,
    )
    await builders.subscription(
        session,
        lines=[builders.SubLine(v["espresso-forte"][0], 1)],
        next_order_date=today + timedelta(days=31),
        paused_until=today + timedelta(days=24),
        status=SubscriptionStatus.PAUSED,
        created_at=now - timedelta(days=90),
        allowed=monthly,
        **common,
    )
    cancelled, _ = await builders.subscription(
        session,
        lines=[builders.SubLine(v["earl-grey-supreme"][1], 1)],
        next_order_date=None,
        status=SubscriptionStatus.CANCELLED,
        created_at=now - timedelta(days=300),
        allowed=monthly,
        **common,
    )
    cancelled.cancel_reason_code = "TOO_MUCH"
    shop = await session.get(Shop, SHOP_ID)
    await builders.subscription(
        session,
        lines=[builders.SubLine(v["house-blend"][0], 1)],
        next_order_date=shop_today(now, shop.time_zone if shop else "UTC"),
        created_at=now - timedelta(days=30),
        **common,
    )
    await session.flush()
