"""Builders for the catalogue and for orders whose parts add up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from models.catalog import Product, ProductVariant
from models.customer import Customer
from models.order import FulfillmentEvent, Order, OrderDiscount, OrderLineItem
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
        row = Product(
            title=title,
            handle=handle or f"product-{n}",
            image_url=image_url,
            active=active,
            created_at=rt.clock.now(),
        )
        session.add(row)
        await session.flush()
        assert row.id is not None
        rows = [
            ProductVariant(
                product_id=row.id,
                title=v_title,
                sku=f"SKU-{n}-{i}",
                price=Decimal(str(price)),
                available=available,
                position=i,
            )
            for i, (v_title, price, available) in enumerate(variants)
        ]
        session.add_all(rows)
    object.__setattr__(row, "variants", rows)
    return row


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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
    async with rt.db.transaction() as session:
        items: list[OrderLineItem] = []
        for position, (variant, quantity) in enumerate(lines):
            if variant is None:
                title, v_title, sku, price = "Retired Blend", "8 oz", None, Decimal("10.00")
            else:
                owner = await session.get(Product, variant.product_id)
                assert owner is not None
                title, v_title, sku, price = owner.title, variant.title, variant.sku, variant.price
            items.append(
                OrderLineItem(
                    order_id=0,
                    variant_id=None if variant is None else variant.id,
                    title=title,
                    variant_title=v_title,
                    sku=sku,
                    quantity=quantity,
                    unit_price=price,
                    total_price=price * quantity,
                    position=position,
                )
            )
        subtotal = sum((item.total_price for item in items), Decimal("0"))
        off = min(discount, subtotal) if discount is not None else Decimal("0")
        tax = _cents((subtotal - off) * tax_rate)
        ship = shipping if shipping is not None else Decimal("0")
        row = Order(
            customer_id=customer.id,
            number=number or f"#{1000 + n}",
            placed_at=placed,
            status=status,
            fulfillment_status=fulfillment_status,
            currency_code=currency_code,
            subtotal=subtotal,
            shipping_total=ship,
            tax_total=tax,
            total=subtotal - off + ship + tax,
            email=customer.email,
            phone=customer.phone,
            payment_brand=payment[0] if payment else None,
            payment_last4=payment[1] if payment else None,
            shipping_address=dict(shipping_address) if shipping_address else None,
            billing_address=dict(billing_address) if billing_address else None,
            shipping_method_title=shipping_title if shipping is not None else None,
            shipping_method_price=shipping,
            invoice_number=f"INV-{1000 + n}",
            cancelled_at=placed + timedelta(hours=1) if status == "CANCELLED" else None,
        )
        session.add(row)
        await session.flush()
        assert row.id is not None
        for item in items:
            item.order_id = row.id
        session.add_all(items)
        if discount is not None:
            session.add(
                OrderDiscount(
                    order_id=row.id,
                    code=discount_code,
                    title=f"{discount_code or 'Loyalty'} discount",
                    amount=off,
                )
            )
        session.add(
            FulfillmentEvent(
                order_id=row.id, status="UNFULFILLED", happened_at=placed, message="Order placed"
            )
        )
        if fulfillment_status != "UNFULFILLED":
            shipped = fulfillment_status in ("IN_TRANSIT", "DELIVERED")
            session.add(
                FulfillmentEvent(
                    order_id=row.id,
                    status=fulfillment_status,
                    happened_at=placed + timedelta(days=1),
                    message=fulfillment_status.replace("_", " ").capitalize(),
                    tracking_number="1Z999AA10123456784" if shipped else None,
                    tracking_url="https://www.ups.com/track?tracknum=1Z999AA10123456784"
                    if shipped
                    else None,
                    carrier="UPS" if shipped else None,
                )
            )
    return row
