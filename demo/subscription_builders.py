"""Rows of a realistic store's subscriptions and the merchant's portal options.

Like `demo.builders`: each builder adds to the caller's transaction, flushes and
returns the rows, for the demo seed and the test factories alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.schedule import Interval
from domain.statuses import DiscountKind, SubscriptionStatus
from models.address import PaymentMethod
from models.catalog import ProductVariant
from models.customer import Customer
from models.merchant import CancelReason, DiscountCode, PauseOption, RetentionOffer
from models.subscription import Subscription, SubscriptionLine


@dataclass(frozen=True)
class SubLine:
    """A subscription line to create: the variant, how many, and whether once only."""

    variant: ProductVariant
    quantity: int = 1
    one_time: bool = False


async def subscription(
    session: AsyncSession,
    *,
    customer: Customer,
    lines: Sequence[SubLine],
    next_order_date: date | None,
    created_at: datetime,
    frequency: tuple[Interval, int] = (Interval.MONTH, 1),
    allowed: Sequence[tuple[Interval, int]] | None = None,
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
    paused_until: date | None = None,
    prepaid_cycles: int | None = None,
    shipping_address: Mapping[str, Any] | None = None,
    payment_method: PaymentMethod | None = None,
    currency_code: str = "USD",
) -> tuple[Subscription, list[SubscriptionLine]]:
    """A subscription anchored on its next order date, with its lines at today's prices.

    `allowed` defaults to the frequency alone (it cannot be changed); a prepaid one
    has all its cycles still to ship.
    """
    assert customer.id is not None
    offered = allowed if allowed is not None else [frequency]
    row = Subscription(
        customer_id=customer.id,
        status=status,
        anchor_date=next_order_date or created_at.date(),
        next_order_date=next_order_date,
        paused_until=paused_until,
        interval=frequency[0],
        interval_count=frequency[1],
        allowed_frequencies=[{"interval": i.value, "intervalCount": n} for i, n in offered],
        is_prepaid=prepaid_cycles is not None,
        prepaid_cycles=prepaid_cycles,
        prepaid_cycles_remaining=prepaid_cycles,
        currency_code=currency_code,
        shipping_address=dict(shipping_address) if shipping_address is not None else None,
        payment_method_id=payment_method.id if payment_method is not None else None,
        product_id=lines[0].variant.product_id if lines else None,
        cancelled_at=created_at if status is SubscriptionStatus.CANCELLED else None,
        created_at=created_at,
        updated_at=created_at,
    )
    session.add(row)
    await session.flush()
    assert row.id is not None
    rows = [
        SubscriptionLine(
            subscription_id=row.id,
            variant_id=line.variant.id,
            quantity=line.quantity,
            unit_price=line.variant.price,
            one_time=line.one_time,
            position=position,
        )
        for position, line in enumerate(lines)
        if line.variant.id is not None
    ]
    session.add_all(rows)
    await session.flush()
    return row, rows


@dataclass(frozen=True)
class PortalOptions:
    pause_options: list[PauseOption]
    cancel_reasons: list[CancelReason]
    offer: RetentionOffer


async def portal_options(session: AsyncSession) -> PortalOptions:
    """The merchant's usual choices: three pauses, four reasons (one asks for a comment),
    and a 20% retention offer."""
    pauses = [
        PauseOption(label="For 2 weeks", days=14, position=0),
        PauseOption(label="For a month", days=30, position=1),
        PauseOption(label="Until I unpause", days=None, position=2),
    ]
    reasons = [
        CancelReason(code="TOO_MUCH", label="I have too much", position=0),
        CancelReason(code="TOO_EXPENSIVE", label="It is too expensive", position=1),
        CancelReason(code="MOVING", label="I am moving", position=2),
        CancelReason(code="OTHER", label="Other reason", requires_comment=True, position=3),
    ]
    offer = RetentionOffer(title="Stay for 20% off every order", percent_off=Decimal("20"))
    session.add_all([*pauses, *reasons, offer])
    await session.flush()
    return PortalOptions(pauses, reasons, offer)


async def discount_code(
    session: AsyncSession,
    *,
    code: str,
    title: str,
    kind: DiscountKind,
    value: Decimal,
    recurring: bool = False,
    min_subtotal: Decimal | None = None,
    expires_at: datetime | None = None,
    usage_limit: int | None = None,
    per_customer_limit: int | None = None,
    active: bool = True,
) -> DiscountCode:
    row = DiscountCode(
        code=code.upper(),
        title=title,
        kind=kind,
        value=value,
        recurring=recurring,
        min_subtotal=min_subtotal,
        expires_at=expires_at,
        usage_limit=usage_limit,
        per_customer_limit=per_customer_limit,
        active=active,
    )
    session.add(row)
    await session.flush()
    return row
