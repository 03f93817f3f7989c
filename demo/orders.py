"""Demo data for the orders screens: a coffee and tea catalogue, and order histories.

Ada's history walks through every fulfillment status (with realistic
timelines), one cancellation, discount codes and an order whose items are no
longer all for sale, so "buy again" shows its unavailable list. Jean has two
orders; Grace has none (the empty state).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from demo import builders
from demo.builders import Discount, Shipping, Step, Tracking
from domain.statuses import FulfillmentStatus, OrderStatus
from models.catalog import ProductVariant
from models.customer import Customer
from plumbing.runtime import Runtime

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

UPS = Tracking("UPS", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784")
USPS = Tracking(
    "USPS",
    "9400111899223856928499",
    "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223856928499",
)
CANADA_POST = Tracking(
    "Canada Post",
    "7023210039414604",
    "https://www.canadapost-postescanada.ca/track-reperage/en#/details/7023210039414604",
)

# The steps of a parcel's life: (status, hours after the order was placed, message).
JOURNEY = [
    (FulfillmentStatus.UNFULFILLED, 0, "Order confirmed"),
    (FulfillmentStatus.FULFILLED, 20, "Packed and labelled"),
    (FulfillmentStatus.IN_TRANSIT, 30, "On its way"),
    (FulfillmentStatus.DELIVERED, 96, "Delivered"),
    (FulfillmentStatus.RETURNED, 340, "Return received; refund issued to your card"),
]
PARTIAL = (
    FulfillmentStatus.PARTIALLY_FULFILLED,
    20,
    "Part of your order has shipped; the rest follows",
)
# Statuses at which the parcel is with the carrier, so tracking shows.
TRACKED = {
    FulfillmentStatus.PARTIALLY_FULFILLED,
    FulfillmentStatus.IN_TRANSIT,
    FulfillmentStatus.DELIVERED,
}
STANDARD = Shipping("Standard (3-5 business days)", Decimal("5.95"))


@dataclass
class DemoOrder:
    number: str
    days_ago: float
    status: OrderStatus
    fulfillment: FulfillmentStatus
    # (product handle, variant position, quantity)
    lines: list[tuple[str, int, int]]
    carrier: Tracking | None = UPS
    discount: Discount | None = None
    shipping: Shipping | None = STANDARD
    tax_rate: Decimal = Decimal("0.08625")
    cancel_reason: str | None = None

    def steps(self) -> list[Step]:
        """The timeline up to where the parcel is, tracked while a carrier has it."""
        if self.fulfillment is FulfillmentStatus.PARTIALLY_FULFILLED:
            reached = [JOURNEY[0], PARTIAL]
        else:
            statuses = [status for status, _, _ in JOURNEY]
            reached = JOURNEY[: statuses.index(self.fulfillment) + 1]
        return [
            Step(
                status,
                timedelta(hours=hours),
                message,
                self.carrier if status in TRACKED else None,
            )
            for status, hours, message in reached
        ]


ADA_ORDERS = [
    DemoOrder(
        "#1048",
        0.1,
        OrderStatus.OPEN,
        FulfillmentStatus.UNFULFILLED,
        [("house-blend", 0, 2), ("earl-grey-supreme", 0, 1)],
        discount=Discount("10% off your order", "percent", Decimal("10"), code="WELCOME10"),
    ),
    DemoOrder(
        "#1044",
        3,
        OrderStatus.OPEN,
        FulfillmentStatus.PARTIALLY_FULFILLED,
        [("espresso-forte", 0, 2), ("ethiopia-yirgacheffe", 0, 1)],
    ),
    DemoOrder(
        "#1041",
        5,
        OrderStatus.OPEN,
        FulfillmentStatus.FULFILLED,
        [("sencha-green-tea", 0, 2)],
        shipping=Shipping("Economy (5-8 business days)", Decimal("3.95")),
    ),
    DemoOrder(
        "#1037",
        8,
        OrderStatus.OPEN,
        FulfillmentStatus.IN_TRANSIT,
        [("colombia-huila-decaf", 0, 1), ("masala-chai", 0, 2)],
    ),
    DemoOrder(
        "#1029",
        21,
        OrderStatus.COMPLETED,
        FulfillmentStatus.DELIVERED,
        [("house-blend", 2, 1), ("earl-grey-supreme", 1, 1)],
        carrier=USPS,
        discount=Discount("$5 off 2 lb bags", "fixed", Decimal("5"), code="BEANS5"),
        shipping=Shipping("Express (1-2 business days)", Decimal("12.00")),
    ),
    DemoOrder(
        "#1022",
        38,
        OrderStatus.COMPLETED,
        FulfillmentStatus.RETURNED,
        [("ethiopia-yirgacheffe", 1, 1)],
    ),
    DemoOrder(
        "#1017",
        52,
        OrderStatus.CANCELLED,
        FulfillmentStatus.UNFULFILLED,
        [("cold-brew-pack", 0, 3)],
        cancel_reason="Ordered the wrong product",
    ),
    # Its seasonal blend is archived and the cold brew sold out: "buy again" leaves them out.
    DemoOrder(
        "#1009",
        85,
        OrderStatus.COMPLETED,
        FulfillmentStatus.DELIVERED,
        [("holiday-blend-2025", 0, 2), ("cold-brew-pack", 0, 1), ("house-blend", 1, 1)],
        carrier=USPS,
        discount=Discount("Holiday 15% off", "percent", Decimal("15"), code="HOLIDAY15"),
    ),
]

CANADA_SHIPPING = Shipping("International standard", Decimal("14.00"))
QUEBEC_TAX = Decimal("0.14975")  # GST + QST
JEAN_ORDERS = [
    DemoOrder(
        "#1046",
        1,
        OrderStatus.OPEN,
        FulfillmentStatus.UNFULFILLED,
        [("masala-chai", 0, 3)],
        shipping=CANADA_SHIPPING,
        tax_rate=QUEBEC_TAX,
    ),
    DemoOrder(
        "#1031",
        19,
        OrderStatus.COMPLETED,
        FulfillmentStatus.DELIVERED,
        [("house-blend", 1, 2)],
        carrier=CANADA_POST,
        shipping=CANADA_SHIPPING,
        tax_rate=QUEBEC_TAX,
    ),
]


async def _catalogue(rt: Runtime, session: AsyncSession) -> dict[str, list[ProductVariant]]:
    """Every CATALOGUE product; its variants by handle, in position order."""
    now = rt.clock.now()
    made: dict[str, list[ProductVariant]] = {}
    for handle, (title, active, variants) in CATALOGUE.items():
        _, made[handle] = await builders.product(
            session,
            title=title,
            handle=handle,
            active=active,
            created_at=now,
            variants=[
                builders.Variant(
                    v_title, Decimal(price), available, sku=f"{handle.upper()[:12]}-{i + 1}"
                )
                for i, (v_title, price, available) in enumerate(variants)
            ],
        )
    return made


async def seed_orders(rt: Runtime, session: AsyncSession, customers: dict[str, Customer]) -> None:
    catalogue = await _catalogue(rt, session)
    now = rt.clock.now()
    plan = [
        (customers["ada"], ADA_ORDERS, (ADA_SHIPPING, ADA_BILLING), ("Visa", "4242")),
        (customers["jean"], JEAN_ORDERS, (JEAN_ADDRESS, JEAN_ADDRESS), ("Mastercard", "4444")),
    ]
    for customer, specs, (shipping_address, billing_address), payment in plan:
        for spec in specs:
            await builders.order(
                session,
                customer=customer,
                number=spec.number,
                placed_at=now - timedelta(days=spec.days_ago),
                lines=[
                    (catalogue[handle][index], quantity) for handle, index, quantity in spec.lines
                ],
                status=spec.status,
                timeline=spec.steps(),
                discount=spec.discount,
                shipping=spec.shipping,
                tax_rate=spec.tax_rate,
                payment=payment,
                shipping_address=shipping_address,
                billing_address=billing_address,
                cancel_reason=spec.cancel_reason,
            )
