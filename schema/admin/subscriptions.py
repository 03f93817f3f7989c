"""Subscriptions the store sold: `createSubscription` and what it answers."""

from __future__ import annotations

from datetime import date

import strawberry

from domain.schedule import Frequency
from domain.scopes import Scope
from models.subscription import Subscription as SubscriptionRow
from resolvers.ids import decode_id, to_global_id
from schema.admin.context import Info
from schema.admin.orders import AddressInput
from schema.admin.permissions import requires
from schema.admin.types import Customer
from schema.common.enums import Interval, SubscriptionStatus
from schema.common.errors import UserError, payload
from schema.common.money import Money, money
from services.subscription_sales import Sale, SaleLine, create_subscription


@strawberry.type(description="One recurring line of a subscription.")
class SubscriptionLine:
    sku: str | None = strawberry.field(description="The variant's SKU.")
    quantity: int = strawberry.field(description="Units per order.")
    unit_price: Money = strawberry.field(description="Price of one unit.")


@strawberry.type(description="A subscription: what recurs, and when.")
class Subscription:
    id: strawberry.ID = strawberry.field(description="Global ID of the subscription.")
    status: SubscriptionStatus = strawberry.field(description="Whether it places orders.")
    next_order_date: date | None = strawberry.field(description="The next order's date.")
    interval: Interval = strawberry.field(description="The unit of the frequency.")
    interval_count: int = strawberry.field(description="How many units between orders.")
    row: strawberry.Private[SubscriptionRow]
    pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: SubscriptionRow) -> Subscription:
        assert row.id is not None
        return cls(
            id=to_global_id("Subscription", row.id),
            status=row.status,
            next_order_date=row.next_order_date,
            interval=row.interval,
            interval_count=row.interval_count,
            row=row,
            pk=row.id,
        )

    @strawberry.field(description="The customer it belongs to.")
    async def customer(self, info: Info) -> Customer | None:
        row = await info.context.loaders.customer_by_id.load(self.row.customer_id)
        return None if row is None else Customer.from_row(row)

    @strawberry.field(description="Its lines, in order.")
    async def lines(self, info: Info) -> list[SubscriptionLine]:
        loaders = info.context.loaders
        rows = await loaders.lines_by_subscription_id.load(self.pk)
        variants = await loaders.variant_by_id.load_many([row.variant_id for row in rows])
        return [
            SubscriptionLine(
                sku=variant.sku if variant is not None else None,
                quantity=row.quantity,
                unit_price=money(row.unit_price, self.row.currency_code),
            )
            for row, variant in zip(rows, variants, strict=True)
        ]


@strawberry.input(description="A variant to subscribe to, by SKU.")
class SubscriptionLineInput:
    sku: str = strawberry.field(description="The variant's SKU.")
    quantity: int = strawberry.field(description="Units per order: 1 to 1,000.")


@strawberry.input(description="A subscription sold in the store.")
class CreateSubscriptionInput:
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global ID of the customer; or give email."
    )
    email: str | None = strawberry.field(
        default=None, description="The customer's email; an account is opened if none has it."
    )
    lines: list[SubscriptionLineInput] = strawberry.field(description="1 to 50 lines.")
    interval: Interval = strawberry.field(description="The unit of the frequency.")
    interval_count: int = strawberry.field(description="How many units between orders.")
    next_order_date: date = strawberry.field(description="The first order's date, after today.")
    shipping_address: AddressInput = strawberry.field(description="Where the orders ship.")
    payment_method_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global ID of one of the customer's saved cards."
    )


@strawberry.type(description="The new subscription, or why it was not created.")
class CreateSubscriptionPayload:
    subscription: Subscription | None = strawberry.field(description="The subscription.")
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type
class SubscriptionMutations:
    @strawberry.mutation(
        description="Create a subscription for a customer; they are emailed a confirmation "
        "with a sign-in link to manage it.",
        permission_classes=[requires(Scope.SUBSCRIPTIONS_WRITE)],
    )
    async def create_subscription(
        self, info: Info, input: CreateSubscriptionInput
    ) -> CreateSubscriptionPayload:
        async def work() -> dict[str, object]:
            customer_id = None
            if input.customer_id is not None:
                # A malformed ID names no customer: 0 is no row's id, so NOT_FOUND.
                customer_id = decode_id(input.customer_id, "Customer") or 0
            card_id = None
            if input.payment_method_id is not None:
                card_id = decode_id(input.payment_method_id, "PaymentMethod") or 0
            sale = Sale(
                customer_id=customer_id,
                email=input.email,
                lines=[SaleLine(sku=line.sku, quantity=line.quantity) for line in input.lines],
                frequency=Frequency(input.interval, input.interval_count),
                next_order_date=input.next_order_date,
                shipping_address=dict(vars(input.shipping_address)),
                payment_method_id=card_id,
            )
            row = await create_subscription(
                info.context.rt, actor=info.context.key_actor, sale=sale
            )
            return {"subscription": Subscription.from_row(row)}

        return await payload(CreateSubscriptionPayload, work())
