"""Builders for subscriptions and the merchant's portal options, through demo's builders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from demo import subscription_builders as builders
from domain.schedule import Interval
from domain.statuses import DiscountKind, SubscriptionStatus
from models.address import PaymentMethod
from models.catalog import ProductVariant
from models.customer import Customer
from models.merchant import DiscountCode
from models.subscription import Subscription, SubscriptionLine
from plumbing.runtime import Runtime
from tests.factories.orders import DEFAULT_ADDRESS, product


async def subscription(
    rt: Runtime,
    customer: Customer,
    *,
    variants: Sequence[ProductVariant] | None = None,
    next_order_date: date | None = None,
    frequency: tuple[Interval, int] = (Interval.MONTH, 1),
    allowed: Sequence[tuple[Interval, int]] | None = None,
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
    paused_until: date | None = None,
    prepaid_cycles: int | None = None,
    payment_method: PaymentMethod | None = None,
    one_time: Sequence[ProductVariant] = (),
) -> Subscription:
    """A subscription of one unit per variant (a new 14.00 product by default), its next
    order ten days from the clock's today unless given; `lines` attached as a plain list."""
    if variants is None:
        variants = list((await product(rt)).variants)
    if next_order_date is None and status is not SubscriptionStatus.CANCELLED:
        next_order_date = rt.clock.now().date() + timedelta(days=10)
    lines = [builders.SubLine(v) for v in variants]
    lines += [builders.SubLine(v, one_time=True) for v in one_time]
    async with rt.db.transaction() as session:
        row, rows = await builders.subscription(
            session,
            customer=customer,
            lines=lines,
            next_order_date=next_order_date,
            created_at=rt.clock.now(),
            frequency=frequency,
            allowed=allowed,
            status=status,
            paused_until=paused_until,
            prepaid_cycles=prepaid_cycles,
            shipping_address=DEFAULT_ADDRESS,
            payment_method=payment_method,
        )
    object.__setattr__(row, "lines", rows)
    return row


def lines_of(sub: Subscription) -> list[SubscriptionLine]:
    return list(sub.lines)


async def portal_options(rt: Runtime) -> builders.PortalOptions:
    async with rt.db.transaction() as session:
        return await builders.portal_options(session)


async def discount_code(
    rt: Runtime,
    code: str = "SAVE10",
    *,
    kind: DiscountKind = DiscountKind.PERCENTAGE,
    value: str = "10",
    **fields: Any,
) -> DiscountCode:
    fields.setdefault("title", f"{code} discount")
    async with rt.db.transaction() as session:
        return await builders.discount_code(
            session, code=code, kind=kind, value=Decimal(value), **fields
        )
