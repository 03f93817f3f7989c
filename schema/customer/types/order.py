"""Orders as the customer sees them: everything snapshotted at purchase."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from models.order import FulfillmentEvent as EventRow
from models.order import Order as OrderRow
from models.order import OrderDiscount as DiscountRow
from models.order import OrderLineItem as LineRow
from models.shop import SHOP_ID
from resolvers.context import RequestContext
from resolvers.ids import to_global_id
from schema.common.enums import FulfillmentStatus, OrderStatus
from schema.common.money import Money, money
from schema.common.node import Node
from schema.common.pagination import PageInfo
from schema.customer.context import Info
from schema.customer.nodes import nodes
from schema.customer.types.address import MailingAddress
from schema.customer.types.catalog import ProductVariant
from services.invoices import invoice_url
from services.order_rules import can_cancel


@strawberry.type(description="One product line of an order, as it was bought.")
class OrderLineItem:
    id: strawberry.ID = strawberry.field(description="Global ID of this line.")
    title: str = strawberry.field(description="Product title at purchase.")
    variant_title: str | None = strawberry.field(description="Variant title at purchase.")
    sku: str | None = strawberry.field(description="SKU at purchase.")
    quantity: int = strawberry.field(description="Units bought.")
    unit_price: Money = strawberry.field(description="Price of one unit at purchase.")
    total_price: Money = strawberry.field(description="Quantity times unit price.")
    row: strawberry.Private[LineRow]

    @classmethod
    def from_row(cls, row: LineRow, currency: str) -> OrderLineItem:
        assert row.id is not None
        return cls(
            id=to_global_id("OrderLineItem", row.id),
            title=row.title,
            variant_title=row.variant_title,
            sku=row.sku,
            quantity=row.quantity,
            unit_price=money(row.unit_price, currency),
            total_price=money(row.total_price, currency),
            row=row,
        )

    @strawberry.field(description="The variant today; null once the merchant deleted it.")
    async def variant(self, info: Info) -> ProductVariant | None:
        if self.row.variant_id is None:
            return None
        row = await info.context.loaders.variant_by_id.load(self.row.variant_id)
        found = await ProductVariant.many(info.context, [row])
        return found[0] if found else None


@strawberry.type(description="A step of the fulfillment timeline.")
class FulfillmentEvent:
    status: FulfillmentStatus = strawberry.field(description="Status reached at this step.")
    happened_at: datetime = strawberry.field(description="When it happened.")
    message: str | None = strawberry.field(description="What happened, for the customer.")
    tracking_number: str | None = strawberry.field(description="Carrier tracking number.")
    tracking_url: str | None = strawberry.field(description="Carrier tracking page.")
    carrier: str | None = strawberry.field(description="Carrier name.")
    reason: str | None = strawberry.field(
        description="Why the order was cancelled, on a CANCELLED step; null on other steps."
    )

    @classmethod
    def from_row(cls, row: EventRow) -> FulfillmentEvent:
        return cls(
            status=row.status,
            happened_at=row.happened_at,
            message=row.message,
            tracking_number=row.tracking_number,
            tracking_url=row.tracking_url,
            carrier=row.carrier,
            reason=None,
        )

    @classmethod
    def cancellation(cls, order: OrderRow) -> FulfillmentEvent:
        """The CANCELLED step, from the order's own record of its cancellation."""
        assert order.cancelled_at is not None
        return cls(
            status=FulfillmentStatus.CANCELLED,
            happened_at=order.cancelled_at,
            message="Order cancelled.",
            tracking_number=None,
            tracking_url=None,
            carrier=None,
            reason=order.cancel_reason,
        )


@strawberry.type(description="A discount taken off an order or subscription.")
class DiscountApplication:
    code: str | None = strawberry.field(description="The code entered, if it was a code.")
    title: str = strawberry.field(description="What the discount is called.")
    amount: Money = strawberry.field(description="Amount taken off.")

    @classmethod
    def from_row(cls, row: DiscountRow, currency: str) -> DiscountApplication:
        return cls(code=row.code, title=row.title, amount=money(row.amount, currency))


@strawberry.type(
    description="The order's money: subtotal - discounts + shipping + tax = total, "
    "all in the order's currency."
)
class OrderSummary:
    subtotal: Money = strawberry.field(description="Sum of the line totals.")
    discounts: list[DiscountApplication] = strawberry.field(description="Discounts applied.")
    shipping: Money = strawberry.field(description="Shipping charged.")
    tax: Money = strawberry.field(description="Tax charged.")
    total: Money = strawberry.field(description="Amount charged.")


@strawberry.type(description="How the store contacts the customer about this order.")
class ContactInformation:
    email: str | None = strawberry.field(description="Email given at checkout.")
    phone: str | None = strawberry.field(description="Phone given at checkout.")


@strawberry.type(description="The card an order was paid with, as displayed on the receipt.")
class PaymentMethodSummary:
    brand: str = strawberry.field(description='Card brand, e.g. "Visa".')
    last4: str = strawberry.field(description="Last four digits of the card.")


@strawberry.type(description="The delivery option chosen at checkout.")
class ShippingMethod:
    title: str = strawberry.field(description='Name, e.g. "Standard (3-5 days)".')
    price: Money = strawberry.field(description="What it cost.")


@strawberry.type(
    description="A receipt in invoice format. `url` is a signed, short-lived link to a "
    "printable page."
)
class Invoice:
    number: str = strawberry.field(description="Invoice number.")
    issued_at: datetime = strawberry.field(description="When the invoice was issued.")
    url: str = strawberry.field(
        description="Printable invoice page; the link expires (ask for a fresh one each time)."
    )


@strawberry.type(description="A purchase, with everything as it was at checkout.")
class Order(Node):
    number: str = strawberry.field(description='Order number shown to the customer, e.g. "#1001".')
    placed_at: datetime = strawberry.field(description="When the order was placed.")
    status: OrderStatus = strawberry.field(description="Open, cancelled or completed.")
    fulfillment_status: FulfillmentStatus = strawberry.field(
        description="How far delivery has got."
    )
    contact: ContactInformation = strawberry.field(description="Contact details for this order.")
    payment_method: PaymentMethodSummary | None = strawberry.field(
        description="The card charged; null if none was (e.g. a free order)."
    )
    shipping_method: ShippingMethod | None = strawberry.field(
        description="The delivery option; null for orders that ship nothing."
    )
    row: strawberry.Private[OrderRow]

    @classmethod
    def from_row(cls, row: OrderRow) -> Order:
        assert row.id is not None
        currency = row.currency_code
        shipping = None
        if row.shipping_method_title is not None:
            shipping = ShippingMethod(
                title=row.shipping_method_title,
                price=money(
                    row.shipping_method_price
                    if row.shipping_method_price is not None
                    else row.shipping_total,
                    currency,
                ),
            )
        payment = None
        if row.payment_brand and row.payment_last4:
            payment = PaymentMethodSummary(brand=row.payment_brand, last4=row.payment_last4)
        return cls(
            id=to_global_id("Order", row.id),
            number=row.number,
            placed_at=row.placed_at,
            status=row.status,
            fulfillment_status=row.fulfillment_status,
            contact=ContactInformation(email=row.email, phone=row.phone),
            payment_method=payment,
            shipping_method=shipping,
            row=row,
        )

    @property
    def pk(self) -> int:
        assert self.row.id is not None
        return self.row.id

    def _money(self, amount: Decimal) -> Money:
        return money(amount, self.row.currency_code)

    @strawberry.field(description="What was bought, in checkout order.")
    async def line_items(self, info: Info) -> list[OrderLineItem]:
        rows = await info.context.loaders.line_items_by_order_id.load(self.pk)
        return [OrderLineItem.from_row(row, self.row.currency_code) for row in rows]

    @strawberry.field(
        description="The fulfillment status timeline, oldest first; a cancelled order's "
        "ends with a CANCELLED step carrying the date and the reason."
    )
    async def timeline(self, info: Info) -> list[FulfillmentEvent]:
        rows = await info.context.loaders.events_by_order_id.load(self.pk)
        events = [FulfillmentEvent.from_row(row) for row in rows]
        if self.row.cancelled_at is not None:
            events.append(FulfillmentEvent.cancellation(self.row))
            # Oldest first even if a step was recorded after the cancellation.
            events.sort(key=lambda event: event.happened_at)
        return events

    @strawberry.field(description="Subtotal, discounts, shipping, tax and total.")
    async def summary(self, info: Info) -> OrderSummary:
        discounts = await info.context.loaders.discounts_by_order_id.load(self.pk)
        return OrderSummary(
            subtotal=self._money(self.row.subtotal),
            discounts=[DiscountApplication.from_row(d, self.row.currency_code) for d in discounts],
            shipping=self._money(self.row.shipping_total),
            tax=self._money(self.row.tax_total),
            total=self._money(self.row.total),
        )

    @strawberry.field(description="Where the order ships to, as entered at checkout.")
    def shipping_address(self) -> MailingAddress | None:
        snapshot = self.row.shipping_address
        return MailingAddress.from_snapshot(snapshot) if snapshot else None

    @strawberry.field(description="The billing address, as entered at checkout.")
    def billing_address(self) -> MailingAddress | None:
        snapshot = self.row.billing_address
        return MailingAddress.from_snapshot(snapshot) if snapshot else None

    @strawberry.field(description="The receipt in invoice format, with a printable link.")
    def invoice(self, info: Info) -> Invoice:
        return Invoice(
            number=self.row.invoice_number,
            issued_at=self.row.placed_at,
            url=invoice_url(info.context.rt, self.pk),
        )

    @strawberry.field(
        description="The subscription that placed this order; null for a one-off purchase."
    )
    async def subscription(
        self, info: Info
    ) -> Annotated[Subscription, strawberry.lazy("schema.customer.types.subscription")] | None:  # type: ignore[name-defined]  # noqa: F821
        # The one reference against the type modules' import order (subscription imports
        # order for its order history): named lazily, and built by the node registry,
        # which also applies the ownership rule.
        if self.row.subscription_id is None:
            return None
        return await nodes.resolve(  # type: ignore[no-any-return]
            info.context, to_global_id("Subscription", self.row.subscription_id)
        )

    @strawberry.field(
        description="True when the merchant allows cancellation and this order can still be "
        "cancelled."
    )
    async def can_cancel(self, info: Info) -> bool:
        settings = await info.context.loaders.settings_by_shop_id.load(SHOP_ID)
        return settings is not None and can_cancel(self.row, settings)


@strawberry.type(description="An order in a page of order history.")
class OrderEdge:
    cursor: str = strawberry.field(description="Pass as `after`/`before` to page from here.")
    node: Order = strawberry.field(description="The order.")


@strawberry.type(description="A page of orders, newest first.")
class OrderConnection:
    edges: list[OrderEdge] = strawberry.field(description="The orders on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the history.")


async def _order_node(ctx: RequestContext, row: OrderRow) -> Order:
    return Order.from_row(row)


nodes.register(
    "Order", model=OrderRow, loader=lambda loaders: loaders.order_by_id, wrap=_order_node
)
