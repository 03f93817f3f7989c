"""What the merchant reads: customers and orders, with the store's own ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from models.address import ADDRESS_FIELDS
from models.customer import Customer as CustomerRow
from models.order import FulfillmentEvent as EventRow
from models.order import Order as OrderRow
from models.order import OrderDiscount as DiscountRow
from models.order import OrderLineItem as LineRow
from resolvers.ids import to_global_id
from schema.admin.context import Info
from schema.common.enums import FulfillmentStatus, OrderStatus
from schema.common.money import Money, money


@strawberry.type(name="Address", description="A postal address as it was recorded.")
class AdminAddress:
    first_name: str | None = strawberry.field(description="Recipient's given name.")
    last_name: str | None = strawberry.field(description="Recipient's family name.")
    company: str | None = strawberry.field(description="Company name.")
    line1: str | None = strawberry.field(description="Street address.")
    line2: str | None = strawberry.field(description="Apartment, suite, unit...")
    city: str | None = strawberry.field(description="City or town.")
    province: str | None = strawberry.field(description="State, province or region.")
    postal_code: str | None = strawberry.field(description="Postal or ZIP code.")
    country_code: str | None = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    phone: str | None = strawberry.field(description="Phone number in E.164 format.")

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any] | None) -> AdminAddress | None:
        if snapshot is None:
            return None
        return cls(**{name: snapshot.get(name) for name in ADDRESS_FIELDS})


@strawberry.type(description="A customer account.")
class Customer:
    id: strawberry.ID = strawberry.field(description="Global ID of the customer.")
    email: str = strawberry.field(description="Email address, normalised as login does.")
    first_name: str | None = strawberry.field(description="Given name.")
    last_name: str | None = strawberry.field(description="Family name.")
    phone: str | None = strawberry.field(description="Phone number in E.164 format.")
    created_at: datetime = strawberry.field(description="When the account was opened.")

    @classmethod
    def from_row(cls, row: CustomerRow) -> Customer:
        assert row.id is not None
        return cls(
            id=to_global_id("Customer", row.id),
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            phone=row.phone,
            created_at=row.created_at,
        )


@strawberry.type(description="One product line of an order, as it was bought.")
class OrderLine:
    title: str = strawberry.field(description="Product title at purchase.")
    variant_title: str | None = strawberry.field(description="Variant title at purchase.")
    sku: str | None = strawberry.field(description="SKU at purchase.")
    quantity: int = strawberry.field(description="Units bought.")
    unit_price: Money = strawberry.field(description="Price of one unit.")
    total_price: Money = strawberry.field(description="Quantity times unit price.")

    @classmethod
    def from_row(cls, row: LineRow, currency: str) -> OrderLine:
        return cls(
            title=row.title,
            variant_title=row.variant_title,
            sku=row.sku,
            quantity=row.quantity,
            unit_price=money(row.unit_price, currency),
            total_price=money(row.total_price, currency),
        )


@strawberry.type(description="A discount applied to an order.")
class OrderDiscount:
    code: str | None = strawberry.field(description="The code entered, if any.")
    title: str = strawberry.field(description="What the discount is called.")
    amount: Money = strawberry.field(description="How much it took off.")

    @classmethod
    def from_row(cls, row: DiscountRow, currency: str) -> OrderDiscount:
        return cls(code=row.code, title=row.title, amount=money(row.amount, currency))


@strawberry.type(description="A step of an order's fulfillment timeline.")
class FulfillmentEvent:
    status: FulfillmentStatus = strawberry.field(description="Status reached at this step.")
    happened_at: datetime = strawberry.field(description="When it happened.")
    message: str | None = strawberry.field(description="What happened, as the customer sees it.")
    carrier: str | None = strawberry.field(description="Carrier name.")
    tracking_number: str | None = strawberry.field(description="Carrier tracking number.")
    tracking_url: str | None = strawberry.field(description="Carrier tracking page.")

    @classmethod
    def from_row(cls, row: EventRow) -> FulfillmentEvent:
        return cls(
            status=row.status,
            happened_at=row.happened_at,
            message=row.message,
            carrier=row.carrier,
            tracking_number=row.tracking_number,
            tracking_url=row.tracking_url,
        )


@strawberry.type(description="An order, with everything recorded at purchase.")
class Order:
    id: strawberry.ID = strawberry.field(description="Global ID of the order.")
    store_order_id: str | None = strawberry.field(
        description="The store's own id, for an ingested order."
    )
    number: str = strawberry.field(description="Order number the customer sees.")
    placed_at: datetime = strawberry.field(description="When the order was placed.")
    status: OrderStatus = strawberry.field(description="Commercial status.")
    fulfillment_status: FulfillmentStatus = strawberry.field(description="Where the goods are.")
    email: str | None = strawberry.field(description="Email the order was placed with.")
    subtotal: Money = strawberry.field(description="Sum of the lines.")
    shipping_total: Money = strawberry.field(description="Shipping charged.")
    tax_total: Money = strawberry.field(description="Tax charged.")
    total: Money = strawberry.field(description="Amount charged.")
    shipping_method_title: str | None = strawberry.field(description="Shipping method chosen.")
    shipping_address: AdminAddress | None = strawberry.field(description="Where it ships.")
    billing_address: AdminAddress | None = strawberry.field(description="Where the bill goes.")
    payment_brand: str | None = strawberry.field(description="Card brand paid with.")
    payment_last4: str | None = strawberry.field(description="Last four digits of the card.")
    row: strawberry.Private[OrderRow]
    pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: OrderRow) -> Order:
        assert row.id is not None
        currency = row.currency_code
        return cls(
            id=to_global_id("Order", row.id),
            store_order_id=row.store_order_id,
            number=row.number,
            placed_at=row.placed_at,
            status=row.status,
            fulfillment_status=row.fulfillment_status,
            email=row.email,
            subtotal=money(row.subtotal, currency),
            shipping_total=money(row.shipping_total, currency),
            tax_total=money(row.tax_total, currency),
            total=money(row.total, currency),
            shipping_method_title=row.shipping_method_title,
            shipping_address=AdminAddress.from_snapshot(row.shipping_address),
            billing_address=AdminAddress.from_snapshot(row.billing_address),
            payment_brand=row.payment_brand,
            payment_last4=row.payment_last4,
            row=row,
            pk=row.id,
        )

    @strawberry.field(description="The customer whose account holds the order.")
    async def customer(self, info: Info) -> Customer | None:
        row = await info.context.loaders.customer_by_id.load(self.row.customer_id)
        return None if row is None else Customer.from_row(row)

    @strawberry.field(description="Lines, in the order they were bought.")
    async def lines(self, info: Info) -> list[OrderLine]:
        rows = await info.context.loaders.line_items_by_order_id.load(self.pk)
        return [OrderLine.from_row(row, self.row.currency_code) for row in rows]

    @strawberry.field(description="Discounts applied.")
    async def discounts(self, info: Info) -> list[OrderDiscount]:
        rows = await info.context.loaders.discounts_by_order_id.load(self.pk)
        return [OrderDiscount.from_row(row, self.row.currency_code) for row in rows]

    @strawberry.field(description="The fulfillment timeline, oldest first.")
    async def timeline(self, info: Info) -> list[FulfillmentEvent]:
        rows = await info.context.loaders.events_by_order_id.load(self.pk)
        return [FulfillmentEvent.from_row(row) for row in rows]
