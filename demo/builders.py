"""Rows of a realistic store: the one place that knows how each kind is put together.

Each builder adds its rows to the caller's open transaction, flushes so their ids
are known, and returns them. The demo seed and the test factories both build
through these, so a test's order adds up exactly like a demo one. Rows skip the
services' validation and events: callers give values in their stored form.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import FulfillmentStatus, OrderStatus, TicketAuthor, TicketStatus
from models.address import PaymentMethod
from models.catalog import Product, ProductVariant
from models.customer import Customer
from models.order import FulfillmentEvent, Order, OrderDiscount, OrderLineItem
from models.ticket import Ticket, TicketMessage


def _cents(value: Decimal) -> Decimal:
    """Rounded to the cent the way a receipt is: halves up."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Variant:
    """A variant to create; `available` false is a sold-out one."""

    title: str
    price: Decimal
    available: bool = True
    sku: str | None = None


async def product(
    session: AsyncSession,
    *,
    title: str,
    handle: str,
    variants: Sequence[Variant],
    created_at: datetime,
    active: bool = True,
    image_url: str | None = None,
) -> tuple[Product, list[ProductVariant]]:
    """A product and its variants, positioned in the order given.

    `active=False` is an archived product: gone from the catalogue, still on old orders.
    """
    row = Product(
        title=title, handle=handle, image_url=image_url, active=active, created_at=created_at
    )
    session.add(row)
    await session.flush()
    assert row.id is not None
    rows = [
        ProductVariant(
            product_id=row.id,
            title=variant.title,
            sku=variant.sku,
            price=variant.price,
            available=variant.available,
            position=position,
        )
        for position, variant in enumerate(variants)
    ]
    session.add_all(rows)
    await session.flush()
    return row, rows


@dataclass(frozen=True)
class GoneVariant:
    """What an order kept of a variant that has since been deleted."""

    title: str
    variant_title: str | None
    unit_price: Decimal


# (what was bought, quantity)
Line = tuple[ProductVariant | GoneVariant, int]


@dataclass(frozen=True)
class Discount:
    """A discount on the whole order: `value` dollars off, or `value` percent off."""

    title: str
    kind: Literal["fixed", "percent"]
    value: Decimal
    code: str | None = None


@dataclass(frozen=True)
class Shipping:
    """The shipping method chosen at checkout."""

    title: str
    price: Decimal


@dataclass(frozen=True)
class Tracking:
    """Where the customer can follow a parcel."""

    carrier: str
    number: str
    url: str


@dataclass(frozen=True)
class Step:
    """A timeline event: the status reached, how long after the order was placed, and
    what the customer reads; `tracking` once the parcel is with a carrier."""

    status: FulfillmentStatus
    after: timedelta
    message: str
    tracking: Tracking | None = None


async def _line_item(
    session: AsyncSession, bought: ProductVariant | GoneVariant, quantity: int, position: int
) -> OrderLineItem:
    if isinstance(bought, GoneVariant):
        variant_id, sku = None, None
        title, variant_title, price = bought.title, bought.variant_title, bought.unit_price
    else:
        # Titles are snapshotted from the product, as checkout does.
        owner = await session.get(Product, bought.product_id)
        assert owner is not None
        variant_id, sku = bought.id, bought.sku
        title, variant_title, price = owner.title, bought.title, bought.price
    return OrderLineItem(
        order_id=0,
        variant_id=variant_id,
        title=title,
        variant_title=variant_title,
        sku=sku,
        quantity=quantity,
        unit_price=price,
        total_price=price * quantity,
        position=position,
    )


async def order(
    session: AsyncSession,
    *,
    customer: Customer,
    number: str,
    placed_at: datetime,
    lines: Sequence[Line],
    timeline: Sequence[Step],
    status: OrderStatus = OrderStatus.OPEN,
    discount: Discount | None = None,
    shipping: Shipping | None = None,
    tax_rate: Decimal = Decimal("0"),
    payment: tuple[str, str] | None = None,
    shipping_address: Mapping[str, Any] | None = None,
    billing_address: Mapping[str, Any] | None = None,
    currency_code: str = "USD",
    invoice_number: str | None = None,
    cancelled_after: timedelta = timedelta(hours=2),
    cancel_reason: str | None = None,
) -> Order:
    """An order whose money adds up, with its lines, discount and timeline.

    subtotal = sum of the lines; the discount is capped at the subtotal; tax is
    `tax_rate` of the discounted subtotal; total = subtotal - discount + shipping
    + tax. The fulfillment status is where `timeline` ends, so the two never
    disagree. `payment` is the card's (brand, last4); addresses are snapshotted.
    A CANCELLED order was cancelled `cancelled_after` it was placed. The invoice
    number defaults to "INV-" and the order number without its "#".
    """
    assert customer.id is not None
    assert timeline, "an order's timeline starts when it is placed"
    items = [
        await _line_item(session, bought, quantity, position)
        for position, (bought, quantity) in enumerate(lines)
    ]
    subtotal = sum((item.total_price for item in items), Decimal("0"))
    off = Decimal("0")
    if discount is not None:
        off = (
            discount.value if discount.kind == "fixed" else _cents(subtotal * discount.value / 100)
        )
        off = min(off, subtotal)
    shipping_total = shipping.price if shipping is not None else Decimal("0")
    tax = _cents((subtotal - off) * tax_rate)
    row = Order(
        customer_id=customer.id,
        number=number,
        placed_at=placed_at,
        status=status,
        fulfillment_status=timeline[-1].status,
        currency_code=currency_code,
        subtotal=subtotal,
        shipping_total=shipping_total,
        tax_total=tax,
        total=subtotal - off + shipping_total + tax,
        email=customer.email,
        phone=customer.phone,
        payment_brand=payment[0] if payment else None,
        payment_last4=payment[1] if payment else None,
        shipping_address=dict(shipping_address) if shipping_address is not None else None,
        billing_address=dict(billing_address) if billing_address is not None else None,
        shipping_method_title=shipping.title if shipping is not None else None,
        shipping_method_price=shipping.price if shipping is not None else None,
        invoice_number=invoice_number or "INV-" + number.lstrip("#"),
        cancelled_at=placed_at + cancelled_after if status is OrderStatus.CANCELLED else None,
        cancel_reason=cancel_reason,
    )
    session.add(row)
    await session.flush()
    assert row.id is not None
    for item in items:
        item.order_id = row.id
    session.add_all(items)
    if discount is not None:
        session.add(
            OrderDiscount(order_id=row.id, code=discount.code, title=discount.title, amount=off)
        )
    session.add_all(
        FulfillmentEvent(
            order_id=row.id,
            status=step.status,
            happened_at=placed_at + step.after,
            message=step.message,
            carrier=step.tracking.carrier if step.tracking else None,
            tracking_number=step.tracking.number if step.tracking else None,
            tracking_url=step.tracking.url if step.tracking else None,
        )
        for step in timeline
    )
    await session.flush()
    return row


async def card(
    session: AsyncSession,
    *,
    owner: Customer,
    brand: str,
    last4: str,
    expiry: tuple[int, int],
    gateway_reference: str,
    created_at: datetime,
    billing_address: Mapping[str, Any] | None = None,
    is_default: bool = False,
) -> PaymentMethod:
    """A saved card (PaymentMethod) as the test gateway would have vaulted it.

    `expiry` is (month, year); `gateway_reference` must be unique. Other cards
    keep their default flag, and the database allows one default per customer.
    """
    assert owner.id is not None
    row = PaymentMethod(
        customer_id=owner.id,
        gateway="test",
        gateway_reference=gateway_reference,
        brand=brand,
        last4=last4,
        expiry_month=expiry[0],
        expiry_year=expiry[1],
        billing_address=dict(billing_address) if billing_address is not None else None,
        is_default=is_default,
        created_at=created_at,
    )
    session.add(row)
    await session.flush()
    return row


# (author, body, sent at)
Message = tuple[TicketAuthor, str, datetime]


async def ticket(
    session: AsyncSession,
    *,
    owner: Customer,
    subject: str,
    status: TicketStatus,
    opened_at: datetime,
    conversation: Sequence[Message],
    order: Order | None = None,
) -> Ticket:
    """A ticket numbered like the real ones (`T-000042`), with its conversation.

    It was last updated by its latest message, or when opened if it has none.
    """
    assert owner.id is not None
    row = Ticket(
        customer_id=owner.id,
        # Placeholder until the id is known, as when a customer opens one.
        number=f"new-{uuid.uuid4().hex[:24]}",
        subject=subject,
        status=status,
        order_id=None if order is None else order.id,
        created_at=opened_at,
        updated_at=conversation[-1][2] if conversation else opened_at,
    )
    session.add(row)
    await session.flush()
    assert row.id is not None
    row.number = f"T-{row.id:06d}"
    session.add_all(
        TicketMessage(ticket_id=row.id, author=author, body=body, created_at=sent)
        for author, body, sent in conversation
    )
    await session.flush()
    return row
