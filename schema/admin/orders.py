"""The store's orders: `ingestOrder`, `addFulfillmentEvent`, `updateOrderStatus`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.scopes import Scope
from resolvers.ids import decode_id
from schema.admin.context import Info
from schema.admin.permissions import requires
from schema.admin.types import Order
from schema.common.enums import FulfillmentStatus, OrderStatus
from schema.common.errors import UserError, payload
from services import merchant_orders
from services.order_ingest_input import DiscountInput, LineInput, OrderInput
from services.order_ingestion import ingest_order


@strawberry.input(description="A postal address as the store recorded it.")
class AddressInput:
    first_name: str | None = strawberry.field(default=None, description="Given name.")
    last_name: str | None = strawberry.field(default=None, description="Family name.")
    company: str | None = strawberry.field(default=None, description="Company name.")
    line1: str | None = strawberry.field(default=None, description="Street address (required).")
    line2: str | None = strawberry.field(default=None, description="Apartment, suite, unit...")
    city: str | None = strawberry.field(default=None, description="City or town (required).")
    province: str | None = strawberry.field(default=None, description="State or province.")
    postal_code: str | None = strawberry.field(
        default=None, description="Postal or ZIP code; required where the country has them."
    )
    country_code: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 country code (required)."
    )
    phone: str | None = strawberry.field(default=None, description="Phone number.")


@strawberry.input(description="One line of an ingested order.")
class IngestOrderLineInput:
    title: str = strawberry.field(description="Product title (at most 200 characters).")
    quantity: int = strawberry.field(description="Units bought: 1 to 10,000.")
    unit_price: Decimal = strawberry.field(description="Price of one unit, in the currency.")
    total_price: Decimal = strawberry.field(description="unitPrice times quantity.")
    sku: str | None = strawberry.field(
        default=None, description="SKU; links the line to the catalogue's variant with it."
    )
    variant_title: str | None = strawberry.field(default=None, description="Variant title.")


@strawberry.input(description="A discount applied to an ingested order.")
class IngestOrderDiscountInput:
    title: str = strawberry.field(description="What the discount is called.")
    amount: Decimal = strawberry.field(description="Amount taken off, in the order's currency.")
    code: str | None = strawberry.field(default=None, description="The code entered, if any.")


@strawberry.input(
    description="A placed order, as the store recorded it. Amounts are decimals in "
    "`currencyCode` and must add up: subtotal = sum of the lines' totals, total = subtotal "
    "- discounts + shippingTotal + taxTotal."
)
class IngestOrderInput:
    store_order_id: str = strawberry.field(
        description="The store's own id of the order; ingestion is idempotent by it."
    )
    email: str = strawberry.field(
        description="The buyer's email; the account with it is used, or opened."
    )
    placed_at: datetime = strawberry.field(description="When it was placed, with its offset.")
    currency_code: str = strawberry.field(description="ISO 4217 code of every amount.")
    lines: list[IngestOrderLineInput] = strawberry.field(description="1 to 250 lines.")
    subtotal: Decimal = strawberry.field(description="Sum of the lines' totals.")
    shipping_total: Decimal = strawberry.field(description="Shipping charged.")
    tax_total: Decimal = strawberry.field(description="Tax charged.")
    total: Decimal = strawberry.field(description="Amount charged.")
    number: str | None = strawberry.field(
        default=None, description="Order number shown to the customer; one is given if absent."
    )
    first_name: str | None = strawberry.field(
        default=None, description="Buyer's given name, for an account opened by this order."
    )
    last_name: str | None = strawberry.field(
        default=None, description="Buyer's family name, for an account opened by this order."
    )
    discounts: list[IngestOrderDiscountInput] | None = strawberry.field(
        default=None, description="Discounts applied (at most 20)."
    )
    shipping_method_title: str | None = strawberry.field(
        default=None, description="Shipping method chosen; its price is shippingTotal."
    )
    shipping_address: AddressInput | None = strawberry.field(
        default=None, description="Where it ships."
    )
    billing_address: AddressInput | None = strawberry.field(
        default=None, description="Where the bill goes."
    )
    payment_brand: str | None = strawberry.field(default=None, description="Card brand.")
    payment_last4: str | None = strawberry.field(
        default=None, description="Last four digits of the card."
    )


@strawberry.type(description="The ingested order, or why it was refused.")
class IngestOrderPayload:
    order: Order | None = strawberry.field(description="The order, new or already ingested.")
    created: bool = strawberry.field(
        default=False, description="True when this call stored the order; false for a replay."
    )
    customer_created: bool = strawberry.field(
        default=False, description="True when this call opened the buyer's account."
    )
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


def _address(value: AddressInput | None) -> dict[str, str | None] | None:
    return None if value is None else dict(vars(value))


def to_order_input(given: IngestOrderInput) -> OrderInput:
    return OrderInput(
        store_order_id=given.store_order_id,
        email=given.email,
        placed_at=given.placed_at,
        currency_code=given.currency_code,
        lines=[
            LineInput(
                title=line.title,
                quantity=line.quantity,
                unit_price=line.unit_price,
                total_price=line.total_price,
                sku=line.sku,
                variant_title=line.variant_title,
            )
            for line in given.lines
        ],
        subtotal=given.subtotal,
        shipping_total=given.shipping_total,
        tax_total=given.tax_total,
        total=given.total,
        number=given.number,
        first_name=given.first_name,
        last_name=given.last_name,
        discounts=[
            DiscountInput(title=d.title, amount=d.amount, code=d.code)
            for d in given.discounts or ()
        ],
        shipping_method_title=given.shipping_method_title,
        shipping_address=_address(given.shipping_address),
        billing_address=_address(given.billing_address),
        payment_brand=given.payment_brand,
        payment_last4=given.payment_last4,
    )


@strawberry.type
class OrderMutations:
    @strawberry.mutation(
        description="Record an order placed in the store, opening the buyer's account when none "
        "has its email. A replay with the same storeOrderId and content answers the stored "
        "order and changes nothing; different content is CONFLICT.",
        permission_classes=[requires(Scope.ORDERS_WRITE)],
    )
    async def ingest_order(self, info: Info, input: IngestOrderInput) -> IngestOrderPayload:
        async def work() -> dict[str, object]:
            ctx = info.context
            done = await ingest_order(ctx.rt, actor=ctx.key_actor, order=to_order_input(input))
            return {
                "order": Order.from_row(done.order),
                "created": done.created,
                "customer_created": done.account_created,
            }

        return await payload(IngestOrderPayload, work())


@strawberry.input(description="A step of an order's fulfillment, as the store recorded it.")
class AddFulfillmentEventInput:
    order_id: strawberry.ID = strawberry.field(description="Global ID of the order.")
    status: FulfillmentStatus = strawberry.field(
        description="Status reached; the order's fulfillmentStatus becomes it (not CANCELLED)."
    )
    happened_at: datetime = strawberry.field(description="When it happened, with its offset.")
    message: str | None = strawberry.field(
        default=None, description="What happened, as the customer reads it (at most 500)."
    )
    carrier: str | None = strawberry.field(default=None, description="Carrier name.")
    tracking_number: str | None = strawberry.field(
        default=None, description="Carrier tracking number."
    )
    tracking_url: str | None = strawberry.field(
        default=None, description="Carrier tracking page (http or https)."
    )


@strawberry.input(description="An order's new commercial status.")
class UpdateOrderStatusInput:
    order_id: strawberry.ID = strawberry.field(description="Global ID of the order.")
    status: OrderStatus = strawberry.field(
        description="OPEN, COMPLETED or CANCELLED; a cancelled order stays cancelled."
    )
    reason: str | None = strawberry.field(
        default=None, description="Why it was cancelled, shown to the customer (at most 500)."
    )


@strawberry.type(description="The changed order, or why it was not changed.")
class OrderPayload:
    order: Order | None = strawberry.field(description="The order as it is now.")
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


async def _changed(info: Info, order_id: int) -> dict[str, object]:
    row = await info.context.loaders.order_by_id.load(order_id)
    assert row is not None
    return {"order": Order.from_row(row)}


@strawberry.type
class FulfillmentMutations:
    @strawberry.mutation(
        description="Add a step to an order's fulfillment timeline (shipped, delivered...); "
        "the customer sees it in the order's timeline.",
        permission_classes=[requires(Scope.ORDERS_WRITE)],
    )
    async def add_fulfillment_event(
        self, info: Info, input: AddFulfillmentEventInput
    ) -> OrderPayload:
        async def work() -> dict[str, object]:
            order_id = await merchant_orders.add_fulfillment_event(
                info.context.rt,
                actor=info.context.key_actor,
                order_id=decode_id(input.order_id, "Order"),
                status=input.status,
                happened_at=input.happened_at,
                message=input.message,
                carrier=input.carrier,
                tracking_number=input.tracking_number,
                tracking_url=input.tracking_url,
            )
            return await _changed(info, order_id)

        return await payload(OrderPayload, work())

    @strawberry.mutation(
        description="Complete, reopen or cancel an order; cancelling tells the customer.",
        permission_classes=[requires(Scope.ORDERS_WRITE)],
    )
    async def update_order_status(self, info: Info, input: UpdateOrderStatusInput) -> OrderPayload:
        async def work() -> dict[str, object]:
            order_id = await merchant_orders.update_order_status(
                info.context.rt,
                actor=info.context.key_actor,
                order_id=decode_id(input.order_id, "Order"),
                status=input.status,
                reason=input.reason,
            )
            return await _changed(info, order_id)

        return await payload(OrderPayload, work())
