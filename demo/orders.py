"""Demo data for the orders screens: a coffee and tea catalogue, and order histories.

Ada's history walks through every fulfillment status (with realistic
timelines), one cancellation, discount codes and an order whose items are no
longer all for sale, so "buy again" shows its unavailable list. Jean has two
orders; Grace has none (the empty state).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import FulfillmentStatus, OrderStatus
from models.catalog import Product, ProductVariant
from models.customer import Customer
from models.order import FulfillmentEvent, Order, OrderDiscount, OrderLineItem
from plumbing.runtime import Runtime

CENT = Decimal("0.01")

# handle -> (title, active, [(variant title, price, available)])
CATALOGUE: dict[str, tuple[str, bool, list[tuple[str, str, bool]]]] = {
    "house-blend": (
        "House Blend",
        True,
        [
            ("12 oz / Whole bean", "15.00", True),
            ("12 oz / Ground", "15.00", True),
            ("2 lb / Whole bean", "34.00", True),
        ],
    ),
    "ethiopia-yirgacheffe": (
        "Ethiopia Yirgacheffe",
        True,
        [("12 oz / Whole bean", "19.00", True), ("2 lb / Whole bean", "44.00", False)],
    ),
    "colombia-huila-decaf": ("Colombia Huila Decaf", True, [("12 oz / Whole bean", "17.50", True)]),
    "espresso-forte": (
        "Espresso Forte",
        True,
        [("12 oz / Whole bean", "16.00", True), ("5 lb / Whole bean", "68.00", True)],
    ),
    "cold-brew-pack": ("Cold Brew Pack", True, [("4 pouches", "14.00", False)]),
    "earl-grey-supreme": (
        "Earl Grey Supreme",
        True,
        [("100 g tin", "12.00", True), ("250 g refill", "24.00", True)],
    ),
    "sencha-green-tea": ("Sencha Green Tea", True, [("100 g tin", "13.50", True)]),
    "masala-chai": ("Masala Chai", True, [("100 g tin", "11.00", True)]),
    # Seasonal: archived, but still on old orders.
    "holiday-blend-2025": ("Holiday Blend 2025", False, [("12 oz / Whole bean", "18.00", True)]),
}

ADA_SHIPPING: dict[str, Any] = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "company": None,
    "line1": "742 Valencia Street",
    "line2": "Apt 3",
    "city": "San Francisco",
    "province": "CA",
    "postal_code": "94110",
    "country_code": "US",
    "phone": "+14155550123",
}
ADA_BILLING: dict[str, Any] = ADA_SHIPPING | {
    "company": "Analytical Engines Ltd",
    "line1": "500 Howard Street",
    "line2": "Floor 4",
    "postal_code": "94105-2210",
    "phone": None,
}
JEAN_ADDRESS: dict[str, Any] = {
    "first_name": "Jean",
    "last_name": "Tremblay",
    "company": None,
    "line1": "4521 rue Saint-Denis",
    "line2": None,
    "city": "Montréal",
    "province": "QC",
    "postal_code": "H2J 2L4",
    "country_code": "CA",
    "phone": "+15145550188",
}

UPS = ("UPS", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784")
USPS = (
    "USPS",
    "9400111899223856928499",
    "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223856928499",
)
CANADA_POST = (
    "Canada Post",
    "7023210039414604",
    "https://www.canadapost-postescanada.ca/track-reperage/en#/details/7023210039414604",
)


Carrier = tuple[str, str, str]  # name, tracking number, tracking URL

# The steps of a parcel's life: (status, hours after the order was placed, message).
JOURNEY = [
    ("UNFULFILLED", 0, "Order confirmed"),
    ("FULFILLED", 20, "Packed and labelled"),
    ("IN_TRANSIT", 30, "On its way"),
    ("DELIVERED", 96, "Delivered"),
    ("RETURNED", 340, "Return received; refund issued to your card"),
]
PARTIAL = ("PARTIALLY_FULFILLED", 20, "Part of your order has shipped; the rest follows")
# Statuses at which the parcel is with the carrier, so tracking shows.
TRACKED = {"PARTIALLY_FULFILLED", "IN_TRANSIT", "DELIVERED"}


@dataclass
class DemoOrder:
    number: str
    days_ago: float
    status: str
    fulfillment: str
    # (product handle, variant position, quantity)
    lines: list[tuple[str, int, int]]
    carrier: Carrier | None = UPS
    # (code, title, "percent" or "fixed", value)
    discount: tuple[str | None, str, str, Decimal] | None = None
    shipping: tuple[str, str] | None = ("Standard (3-5 business days)", "5.95")
    tax_rate: Decimal = Decimal("0.08625")
    cancel_reason: str | None = None

    def steps(self) -> list[tuple[str, int, str]]:
        if self.fulfillment == "PARTIALLY_FULFILLED":
            return [JOURNEY[0], PARTIAL]
        reached = [status for status, _, _ in JOURNEY].index(self.fulfillment)
        return JOURNEY[: reached + 1]


ADA_ORDERS = [
    DemoOrder(
        "#1048",
        0.1,
        "OPEN",
        "UNFULFILLED",
        [("house-blend", 0, 2), ("earl-grey-supreme", 0, 1)],
        discount=("WELCOME10", "10% off your order", "percent", Decimal("10")),
    ),
    DemoOrder(
        "#1044",
        3,
        "OPEN",
        "PARTIALLY_FULFILLED",
        [("espresso-forte", 0, 2), ("ethiopia-yirgacheffe", 0, 1)],
    ),
    DemoOrder(
        "#1041",
        5,
        "OPEN",
        "FULFILLED",
        [("sencha-green-tea", 0, 2)],
        shipping=("Economy (5-8 business days)", "3.95"),
    ),
    DemoOrder(
        "#1037", 8, "OPEN", "IN_TRANSIT", [("colombia-huila-decaf", 0, 1), ("masala-chai", 0, 2)]
    ),
    DemoOrder(
        "#1029",
        21,
        "COMPLETED",
        "DELIVERED",
        [("house-blend", 2, 1), ("earl-grey-supreme", 1, 1)],
        carrier=USPS,
        discount=("BEANS5", "$5 off 2 lb bags", "fixed", Decimal("5")),
        shipping=("Express (1-2 business days)", "12.00"),
    ),
    DemoOrder("#1022", 38, "COMPLETED", "RETURNED", [("ethiopia-yirgacheffe", 1, 1)]),
    DemoOrder(
        "#1017",
        52,
        "CANCELLED",
        "UNFULFILLED",
        [("cold-brew-pack", 0, 3)],
        cancel_reason="Ordered the wrong product",
    ),
    # Its seasonal blend is archived and the cold brew sold out: "buy again" leaves them out.
    DemoOrder(
        "#1009",
        85,
        "COMPLETED",
        "DELIVERED",
        [("holiday-blend-2025", 0, 2), ("cold-brew-pack", 0, 1), ("house-blend", 1, 1)],
        carrier=USPS,
        discount=("HOLIDAY15", "Holiday 15% off", "percent", Decimal("15")),
    ),
]

CANADA_SHIPPING = ("International standard", "14.00")
QUEBEC_TAX = Decimal("0.14975")  # GST + QST
JEAN_ORDERS = [
    DemoOrder(
        "#1046",
        1,
        "OPEN",
        "UNFULFILLED",
        [("masala-chai", 0, 3)],
        shipping=CANADA_SHIPPING,
        tax_rate=QUEBEC_TAX,
    ),
    DemoOrder(
        "#1031",
        19,
        "COMPLETED",
        "DELIVERED",
        [("house-blend", 1, 2)],
        carrier=CANADA_POST,
        shipping=CANADA_SHIPPING,
        tax_rate=QUEBEC_TAX,
    ),
]


async def _catalogue(session: AsyncSession) -> dict[str, tuple[Product, list[ProductVariant]]]:
    made: dict[str, tuple[Product, list[ProductVariant]]] = {}
    for handle, (title, active, variants) in CATALOGUE.items():
        product = Product(title=title, handle=handle, active=active)
        session.add(product)
        await session.flush()
        assert product.id is not None
        rows = [
            ProductVariant(
                product_id=product.id,
                title=v_title,
                sku=f"{handle.upper()[:12]}-{i + 1}",
                price=Decimal(price),
                available=available,
                position=i,
            )
            for i, (v_title, price, available) in enumerate(variants)
        ]
        session.add_all(rows)
        made[handle] = (product, rows)
    await session.flush()
    return made


def _add_order(
    now: datetime,
    customer_id: int,
    customer: Customer,
    spec: DemoOrder,
    catalogue: dict[str, tuple[Product, list[ProductVariant]]],
    addresses: tuple[dict[str, Any], dict[str, Any]],
    card: tuple[str, str],
) -> tuple[Order, list[Any]]:
    placed = now - timedelta(days=spec.days_ago)
    lines = []
    for position, (handle, index, quantity) in enumerate(spec.lines):
        product, variants = catalogue[handle]
        variant = variants[index]
        lines.append(
            OrderLineItem(
                order_id=0,
                variant_id=variant.id,
                title=product.title,
                variant_title=variant.title,
                sku=variant.sku,
                quantity=quantity,
                unit_price=variant.price,
                total_price=variant.price * quantity,
                position=position,
            )
        )
    subtotal = sum((line.total_price for line in lines), Decimal("0"))
    discount = None
    off = Decimal("0")
    if spec.discount is not None:
        code, title, kind, value = spec.discount
        off = value if kind == "fixed" else (subtotal * value / 100).quantize(CENT, ROUND_HALF_UP)
        discount = OrderDiscount(order_id=0, code=code, title=title, amount=off)
    shipping = Decimal(spec.shipping[1]) if spec.shipping else Decimal("0")
    tax = ((subtotal - off) * spec.tax_rate).quantize(CENT, ROUND_HALF_UP)
    order = Order(
        customer_id=customer_id,
        number=spec.number,
        placed_at=placed,
        status=OrderStatus(spec.status),
        fulfillment_status=FulfillmentStatus(spec.fulfillment),
        currency_code="USD",
        subtotal=subtotal,
        shipping_total=shipping,
        tax_total=tax,
        total=subtotal - off + shipping + tax,
        email=customer.email,
        phone=customer.phone,
        payment_brand=card[0],
        payment_last4=card[1],
        shipping_address=dict(addresses[0]),
        billing_address=dict(addresses[1]),
        shipping_method_title=spec.shipping[0] if spec.shipping else None,
        shipping_method_price=shipping if spec.shipping else None,
        invoice_number="INV-" + spec.number.lstrip("#"),
        cancelled_at=placed + timedelta(hours=2) if spec.status == "CANCELLED" else None,
        cancel_reason=spec.cancel_reason,
    )
    events = [
        FulfillmentEvent(
            order_id=0,
            status=FulfillmentStatus(status),
            happened_at=placed + timedelta(hours=hours),
            message=message,
            carrier=carrier[0] if carrier else None,
            tracking_number=carrier[1] if carrier else None,
            tracking_url=carrier[2] if carrier else None,
        )
        for status, hours, message in spec.steps()
        for carrier in [spec.carrier if status in TRACKED else None]
    ]
    return order, [*lines, *events, *([discount] if discount else [])]


async def seed_orders(rt: Runtime, session: AsyncSession, customers: dict[str, Customer]) -> None:
    catalogue = await _catalogue(session)
    now = rt.clock.now()
    plan = [
        (customers["ada"], ADA_ORDERS, (ADA_SHIPPING, ADA_BILLING), ("Visa", "4242")),
        (customers["jean"], JEAN_ORDERS, (JEAN_ADDRESS, JEAN_ADDRESS), ("Mastercard", "4444")),
    ]
    for customer, specs, addresses, card in plan:
        assert customer.id is not None
        for spec in specs:
            order, children = _add_order(
                now, customer.id, customer, spec, catalogue, addresses, card
            )
            session.add(order)
            await session.flush()
            assert order.id is not None
            for child in children:
                child.order_id = order.id
            session.add_all(children)
    await session.flush()
