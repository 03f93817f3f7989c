"""A subscription's order: priced and its discounts counted when claimed, written once charged.

`subscription_orders.get_now` claims, charges and decides; this module reads the
lines, prices them as `upcomingOrder` does while reserving each discount's use,
and writes the order and the subscription's next state, each in the caller's
transaction. The renewal worker (`services.renewals`) writes its orders through `write_order` too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.actors import Actor
from domain.schedule import next_after
from domain.statuses import FulfillmentStatus, SubscriptionStatus
from domain.topics import Topic
from models.address import PaymentMethod
from models.catalog import Product, ProductVariant
from models.customer import Customer
from models.merchant import DiscountCode, DiscountRedemption
from models.order import FulfillmentEvent, Order, OrderDiscount, OrderLineItem
from models.shop import SHOP_ID, CustomerAccountSettings, Shop
from models.subscription import SubscriptionDiscount, SubscriptionLine
from plumbing.runtime import Runtime
from services.subscription_pricing import PricedOrder, cents, price
from services.subscription_rules import PortalAction
from services.subscriptions import Change, finish_change, frequency_of, lock_owned


@dataclass(frozen=True)
class OrderLine:
    """A subscription line with the titles the order snapshots."""

    line: SubscriptionLine
    title: str
    variant_title: str | None
    sku: str | None


@dataclass
class Claim:
    """A cycle claimed for an early order: what is charged and placed, and what to undo."""

    customer_id: int
    subscription_id: int
    actor: Actor
    today: date
    now: datetime
    previous_early_order_on: date | None
    currency_code: str
    card: PaymentMethod
    lines: list[OrderLine]
    priced: PricedOrder
    # The codes this order uses (their usage reserved), in the order they apply.
    codes: list[DiscountCode]
    idempotency_key: str | None

    @property
    def gateway_key(self) -> str:
        """One charge per subscription, shop day and card (see subscription_orders)."""
        return f"getnow:{self.subscription_id}:{self.today.isoformat()}:{self.card.id}"


async def order_lines(session: AsyncSession, subscription_id: int) -> list[OrderLine]:
    """The subscription's lines in `upcomingOrder`'s order, with product and variant titles."""
    rows = await session.execute(
        select(
            SubscriptionLine, col(Product.title), col(ProductVariant.title), col(ProductVariant.sku)
        )
        .join(ProductVariant, col(ProductVariant.id) == col(SubscriptionLine.variant_id))
        .join(Product, col(Product.id) == col(ProductVariant.product_id))
        .where(col(SubscriptionLine.subscription_id) == subscription_id)
        .order_by(col(SubscriptionLine.position), col(SubscriptionLine.id))
    )
    return [OrderLine(line, title, variant_title, sku) for line, title, variant_title, sku in rows]


async def _reserve(session: AsyncSession, code: DiscountCode, customer_id: int) -> bool:
    """Count one more use of `code` if its limits allow; False when they do not."""
    if code.per_customer_limit is not None:
        used = await session.scalar(
            select(func.count())
            .select_from(DiscountRedemption)
            .where(
                col(DiscountRedemption.discount_code_id) == code.id,
                col(DiscountRedemption.customer_id) == customer_id,
            )
        )
        if (used or 0) >= code.per_customer_limit:
            return False
    counted = await session.execute(
        update(DiscountCode)
        .where(
            col(DiscountCode.id) == code.id,
            or_(
                col(DiscountCode.usage_limit).is_(None),
                col(DiscountCode.times_used) < col(DiscountCode.usage_limit),
            ),
        )
        .values(times_used=col(DiscountCode.times_used) + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(counted.rowcount == 1)  # type: ignore[attr-defined]


async def _applied_codes(session: AsyncSession, subscription_id: int) -> list[DiscountCode]:
    """The subscription's codes in the order they were applied (as `upcomingOrder` reads them)."""
    rows = await session.scalars(
        select(DiscountCode)
        .join(
            SubscriptionDiscount,
            col(SubscriptionDiscount.discount_code_id) == col(DiscountCode.id),
        )
        .where(col(SubscriptionDiscount.subscription_id) == subscription_id)
        .order_by(col(SubscriptionDiscount.applied_at), col(SubscriptionDiscount.id))
    )
    return list(rows)


async def price_and_reserve(
    session: AsyncSession, lines: list[OrderLine], customer_id: int, now: datetime
) -> tuple[PricedOrder, list[DiscountCode]]:
    """Price as `upcomingOrder` does; a code whose usage limit is spent takes nothing off."""
    assert lines
    codes = await _applied_codes(session, lines[0].line.subscription_id)
    rows = [item.line for item in lines]
    applying = {d.code for d in price(rows, codes, now).discounts}
    # Whether a code applies depends on the subtotal alone, not on the other codes,
    # so dropping a spent one changes amounts but never which others apply.
    used = [c for c in codes if c.code in applying and await _reserve(session, c, customer_id)]
    return price(rows, used, now), used


async def _order_row(session: AsyncSession, claim: Claim, shipping: Any) -> Order:
    customer = await session.get(Customer, claim.customer_id)
    assert customer is not None
    priced = claim.priced
    row = Order(
        customer_id=claim.customer_id,
        # Placeholders until the id is known; unique either way.
        number=f"new-{uuid.uuid4().hex[:24]}",
        invoice_number=f"new-{uuid.uuid4().hex[:24]}",
        placed_at=claim.now,
        currency_code=claim.currency_code,
        subtotal=priced.subtotal,
        # upcomingOrder shows no shipping or tax: the order charges the total it showed.
        shipping_total=Decimal("0"),
        tax_total=Decimal("0"),
        total=priced.total,
        email=customer.email,
        phone=customer.phone,
        payment_brand=claim.card.brand,
        payment_last4=claim.card.last4,
        shipping_address=shipping,
        billing_address=claim.card.billing_address,
        subscription_id=claim.subscription_id,
    )
    session.add(row)
    await session.flush()
    assert row.id is not None
    # "S" keeps these apart from checkout's numbers ("#1001"); the invoice follows the
    # order number as everywhere else.
    row.number = f"#S{row.id:06d}"
    row.invoice_number = "INV-" + row.number.lstrip("#")
    return row


def _children(claim: Claim, order_id: int) -> list[Any]:
    """Line items, discounts, redemptions and the first timeline step of the order."""
    rows: list[Any] = [
        OrderLineItem(
            order_id=order_id,
            variant_id=item.line.variant_id,
            title=item.title,
            variant_title=item.variant_title,
            sku=item.sku,
            quantity=item.line.quantity,
            unit_price=item.line.unit_price,
            total_price=cents(item.line.unit_price * item.line.quantity),
            position=position,
        )
        for position, item in enumerate(claim.lines)
    ]
    rows += [
        OrderDiscount(order_id=order_id, code=d.code, title=d.title, amount=d.amount)
        for d in claim.priced.discounts
    ]
    rows += [
        DiscountRedemption(
            discount_code_id=code_id,
            customer_id=claim.customer_id,
            order_id=order_id,
            created_at=claim.now,
        )
        for code_id in (code.id for code in claim.codes)
        if code_id is not None
    ]
    rows.append(
        FulfillmentEvent(
            order_id=order_id,
            status=FulfillmentStatus.UNFULFILLED,
            happened_at=claim.now,
            message="Order confirmed",
        )
    )
    return rows


async def write_order(
    session: AsyncSession, claim: Claim, sub_id: int, shipping: Any
) -> tuple[Order, dict[str, Any]]:
    """The claimed order, its lines, discounts and redemptions; the one-time lines it
    ships and the non-recurring codes it used are gone from the subscription after it.

    Shared by getNow and the renewal worker; returns the order and what the history
    records about it.
    """
    order = await _order_row(session, claim, shipping)
    assert order.id is not None
    session.add_all(_children(claim, order.id))
    # The add-ons shipped with this order; those added meanwhile wait for the next one.
    shipped_once = [item.line.id for item in claim.lines if item.line.one_time]
    if shipped_once:
        await session.execute(
            delete(SubscriptionLine).where(col(SubscriptionLine.id).in_(shipped_once))
        )
    used_up = [code.id for code in claim.codes if not code.recurring]
    if used_up:
        await session.execute(
            delete(SubscriptionDiscount).where(
                col(SubscriptionDiscount.subscription_id) == sub_id,
                col(SubscriptionDiscount.discount_code_id).in_(used_up),
            )
        )
    after: dict[str, Any] = {
        "order_id": order.id,
        "number": order.number,
        "total": str(order.total),
    }
    if shipped_once:
        after["consumed_line_ids"] = shipped_once
    if used_up:
        after["removed_codes"] = [c.code for c in claim.codes if not c.recurring]
    return order, after


async def release_codes(session: AsyncSession, code_ids: list[int]) -> None:
    """Give back the uses a claim reserved, after its charge was declined."""
    for code_id in code_ids:
        await session.execute(
            update(DiscountCode)
            .where(col(DiscountCode.id) == code_id, col(DiscountCode.times_used) > 0)
            .values(times_used=col(DiscountCode.times_used) - 1)
            .execution_options(synchronize_session=False)
        )


async def place_order(
    rt: Runtime, session: AsyncSession, claim: Claim, charge_id: str
) -> dict[str, Any]:
    """Write the claimed order and move the subscription on; returns the ids for the key."""
    sub = await lock_owned(
        session, customer_id=claim.customer_id, subscription_id=claim.subscription_id
    )
    assert sub.id is not None
    settings = await session.get(CustomerAccountSettings, SHOP_ID)
    shop = await session.get(Shop, SHOP_ID)
    assert settings is not None and shop is not None
    ch = Change(session, rt, sub, settings, shop, claim.today, claim.now, claim.actor)
    order, written = await write_order(session, claim, sub.id, sub.shipping_address)
    before: dict[str, Any] = {
        "status": sub.status.value,
        "next_order_date": sub.next_order_date.isoformat() if sub.next_order_date else None,
    }
    # Paused or cancelled while the card was charged: the order stands, the schedule too.
    # Past due: this order is the payment the renewal missed, and the subscription runs again.
    if sub.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE):
        dropped = await ch.drop_skips_from(claim.today)
        if dropped:
            before["skipped"] = dropped
        sub.status = SubscriptionStatus.ACTIVE
        sub.anchor_date = claim.today
        sub.next_order_date = next_after(claim.today, frequency_of(sub), claim.today)
    after: dict[str, Any] = {
        **written,
        "charge_id": charge_id,
        "status": sub.status.value,
        "next_order_date": sub.next_order_date.isoformat() if sub.next_order_date else None,
    }
    await finish_change(
        ch,
        action=PortalAction.GET_NOW,
        topic=Topic.SUBSCRIPTION_ORDER_PLACED,
        before=before,
        after=after,
    )
    return {"order_id": order.id, "subscription_id": sub.id}
