"""Builders for the catalogue and for orders whose parts add up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from demo import builders
from domain.statuses import FulfillmentStatus, OrderStatus
from models.catalog import Product, ProductVariant
from models.customer import Customer
from models.order import Order
from plumbing.runtime import Runtime
from tests.factories.accounts import serial

DEFAULT_ADDRESS: dict[str, Any] = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "company": None,
    "line1": "12 Analytical Way",
    "line2": "Apt 3",
    "city": "Brooklyn",
    "province": "NY",
    "postal_code": "11201",
    "country_code": "US",
    "phone": "+14155550123",
}


# Where a line's variant was deleted, the order kept this.
RETIRED = builders.GoneVariant(
    title="Retired Blend", variant_title="8 oz", unit_price=Decimal("10.00")
)
UPS = builders.Tracking(
    "UPS", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784"
)
# Statuses at which the parcel is with the carrier, so the event carries tracking.
SHIPPED = (FulfillmentStatus.IN_TRANSIT, FulfillmentStatus.DELIVERED)


async def product(
    rt: Runtime,
    *,
    title: str = "House Blend",
    variants: Sequence[tuple[str, str | Decimal, bool]] = (("12 oz", "14.00", True),),
    active: bool = True,
    handle: str | None = None,
    image_url: str | None = None,
) -> Product:
    """A product with its variants, given as (title, price, available) in position order.

    The variant rows are attached to the returned product as `product.variants`
    (a plain list set by this builder, not a relationship: it never loads lazily).
    """
    n = next(serial)
    async with rt.db.transaction() as session:
        row, rows = await builders.product(
            session,
            title=title,
            handle=handle or f"product-{n}",
            image_url=image_url,
            active=active,
            created_at=rt.clock.now(),
            variants=[
                builders.Variant(v_title, Decimal(str(price)), available, sku=f"SKU-{n}-{i}")
                for i, (v_title, price, available) in enumerate(variants)
            ],
        )
    object.__setattr__(row, "variants", rows)
    return row


async def order(
    rt: Runtime,
    customer: Customer,
    *,
    status: str = "OPEN",
    fulfillment_status: str = "UNFULFILLED",
    placed_at: datetime | None = None,
    lines: Sequence[tuple[ProductVariant | None, int]] | None = None,
    discount: Decimal | None = Decimal("2.00"),
    discount_code: str | None = "WELCOME",
    shipping: Decimal | None = Decimal("5.00"),
    shipping_title: str = "Standard shipping",
    tax_rate: Decimal = Decimal("0.08"),
    payment: tuple[str, str] | None = ("Visa", "4242"),
    shipping_address: dict[str, Any] | None = DEFAULT_ADDRESS,
    billing_address: dict[str, Any] | None = DEFAULT_ADDRESS,
    currency_code: str = "USD",
    number: str | None = None,
) -> Order:
    """A complete order whose parts add up: subtotal - discount + shipping + tax == total.

    `lines` are (variant, quantity); a None variant is a line whose variant no longer
    exists. Without `lines`, a new one-variant product is bought twice. `shipping=None`
    means no shipping method; `payment=None` no card; `discount=None` no discount.
    Tax is `tax_rate` of the discounted subtotal. The timeline has the "placed" event,
    plus one event for `fulfillment_status` a day later when it is not UNFULFILLED.
    """
    if lines is None:
        made = await product(rt, variants=[("12 oz", "14.00", True)])
        lines = [(made.variants[0], 2)]  # type: ignore[attr-defined]
    n = next(serial)
    placed = placed_at or rt.clock.now()
    reached = FulfillmentStatus(fulfillment_status)
    timeline = [builders.Step(FulfillmentStatus.UNFULFILLED, timedelta(0), "Order placed")]
    if reached is not FulfillmentStatus.UNFULFILLED:
        timeline.append(
            builders.Step(
                reached,
                timedelta(days=1),
                reached.replace("_", " ").capitalize(),
                UPS if reached in SHIPPED else None,
            )
        )
    async with rt.db.transaction() as session:
        row = await builders.order(
            session,
            customer=customer,
            number=number or f"#{1000 + n}",
            invoice_number=f"INV-{1000 + n}",
            placed_at=placed,
            status=OrderStatus(status),
            timeline=timeline,
            lines=[(RETIRED if variant is None else variant, qty) for variant, qty in lines],
            discount=None
            if discount is None
            else builders.Discount(
                f"{discount_code or 'Loyalty'} discount", "fixed", discount, code=discount_code
            ),
            shipping=None if shipping is None else builders.Shipping(shipping_title, shipping),
            tax_rate=tax_rate,
            payment=payment,
            shipping_address=shipping_address or None,
            billing_address=billing_address or None,
            currency_code=currency_code,
            cancelled_after=timedelta(hours=1),
        )
    return row
