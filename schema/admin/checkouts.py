"""`recordCheckout`: an abandoned checkout whose email becomes a customer account."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.scopes import Scope
from schema.admin.context import Info
from schema.admin.permissions import requires
from schema.admin.types import Customer
from schema.common.errors import UserError, payload
from services.checkouts import CheckoutInput, record_checkout


@strawberry.input(description="A checkout abandoned after it captured an email.")
class RecordCheckoutInput:
    store_checkout_id: str = strawberry.field(
        description="The store's own id of the checkout; recording is idempotent by it."
    )
    email: str = strawberry.field(description="The email captured.")
    currency_code: str = strawberry.field(description="ISO 4217 code of the total.")
    total: Decimal = strawberry.field(description="The cart's total.")
    abandoned_at: datetime = strawberry.field(description="When it was left, with its offset.")
    recovery_url: str | None = strawberry.field(
        default=None, description="Where the customer can resume it (https)."
    )
    first_name: str | None = strawberry.field(default=None, description="Given name, if known.")
    last_name: str | None = strawberry.field(default=None, description="Family name, if known.")


@strawberry.type(description="The customer the checkout belongs to, or why it was refused.")
class RecordCheckoutPayload:
    customer: Customer | None = strawberry.field(description="The customer with that email.")
    customer_created: bool = strawberry.field(
        default=False, description="True when this call opened the account."
    )
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type
class CheckoutMutations:
    @strawberry.mutation(
        description="Record an abandoned checkout, opening an account for its email when "
        "none has it.",
        permission_classes=[requires(Scope.CUSTOMERS_WRITE)],
    )
    async def record_checkout(
        self, info: Info, input: RecordCheckoutInput
    ) -> RecordCheckoutPayload:
        async def work() -> dict[str, object]:
            checkout = CheckoutInput(
                store_checkout_id=input.store_checkout_id,
                email=input.email,
                currency_code=input.currency_code,
                total=input.total,
                abandoned_at=input.abandoned_at,
                recovery_url=input.recovery_url,
                first_name=input.first_name,
                last_name=input.last_name,
            )
            ctx = info.context
            done = await record_checkout(ctx.rt, actor=ctx.key_actor, checkout=checkout)
            return {
                "customer": Customer.from_row(done.customer),
                "customer_created": done.customer_created,
            }

        return await payload(RecordCheckoutPayload, work())
