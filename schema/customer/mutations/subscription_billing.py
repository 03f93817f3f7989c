"""Subscription mutations about shipping and paying: address, card, discount codes."""

from __future__ import annotations

import strawberry

from resolvers.ids import decode_optional_id
from schema.customer.context import Info
from schema.customer.mutations.subscription_support import SUBSCRIPTION_ID, SubscriptionPayload, run
from schema.customer.mutations.subscriptions import _who
from schema.customer.permissions import IsAuthenticated
from schema.customer.types.address import AddressInput
from services import subscription_billing as billing
from services import subscription_discounts as discounts


@strawberry.input(description="Where future orders ship: exactly one of a saved or a new address.")
class UpdateSubscriptionAddressInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    address_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of the customer's saved addresses."
    )
    address: AddressInput | None = strawberry.field(
        default=None, description="A new address (not added to the address book)."
    )


@strawberry.input(description="How future orders are paid: exactly one of a saved or a new card.")
class UpdateSubscriptionPaymentMethodInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    payment_method_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of the customer's saved, unexpired cards."
    )
    gateway_token: str | None = strawberry.field(
        default=None,
        description="A one-time token from the gateway's card form (never a card number); the "
        "card is also saved to the customer's payment methods.",
    )
    billing_address: AddressInput | None = strawberry.field(
        default=None, description="The new card's billing address (only with `gatewayToken`)."
    )


@strawberry.input(description="A discount code to apply.")
class ApplyDiscountCodeInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    code: str = strawberry.field(description="The code, in any case.")


@strawberry.input(description="An applied discount code to remove.")
class RemoveDiscountCodeInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    code: str = strawberry.field(description="The code, in any case.")


@strawberry.type
class SubscriptionBillingMutations:
    @strawberry.mutation(
        description="Ship future orders to a saved address or a new one. The address is "
        "copied: editing the saved address later does not change the subscription.",
        permission_classes=[IsAuthenticated],
    )
    async def update_subscription_address(
        self, info: Info, input: UpdateSubscriptionAddressInput
    ) -> SubscriptionPayload:
        address = input.address
        return await run(
            info,
            lambda ctx: billing.update_address(
                ctx.rt,
                address_id=decode_optional_id(input.address_id, "Address"),
                fields=None if address is None else address.to_fields(),
                **_who(ctx, input.subscription_id),
            ),
        )

    @strawberry.mutation(
        description="Charge future orders to a saved card, or to a new card from a gateway "
        "token (saved to the customer's payment methods too). With a new card, send an "
        "`Idempotency-Key` header so a retried call does not save the card twice.",
        permission_classes=[IsAuthenticated],
    )
    async def update_subscription_payment_method(
        self, info: Info, input: UpdateSubscriptionPaymentMethodInput
    ) -> SubscriptionPayload:
        address = input.billing_address
        result = await run(
            info,
            lambda ctx: billing.update_payment_method(
                ctx.rt,
                payment_method_id=decode_optional_id(input.payment_method_id, "PaymentMethod"),
                gateway_token=input.gateway_token,
                billing_address=None if address is None else address.to_fields(),
                idempotency_key=ctx.idempotency_key,
                **_who(ctx, input.subscription_id),
            ),
        )
        # A new card joined the wallet: `customer.paymentMethods` must read it afresh.
        info.context.loaders.payment_methods_by_customer_id.clear_all()
        return result

    @strawberry.mutation(
        description="Apply a discount code to the coming orders; refused with DISCOUNT_INVALID "
        "and the reason (unknown, inactive, expired, minimum not reached, used up, already "
        "applied).",
        permission_classes=[IsAuthenticated],
    )
    async def apply_discount_code(
        self, info: Info, input: ApplyDiscountCodeInput
    ) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: discounts.apply_discount_code(
                ctx.rt, code=input.code, **_who(ctx, input.subscription_id)
            ),
        )

    @strawberry.mutation(
        description="Remove an applied discount code.", permission_classes=[IsAuthenticated]
    )
    async def remove_discount_code(
        self, info: Info, input: RemoveDiscountCodeInput
    ) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: discounts.remove_discount_code(
                ctx.rt, code=input.code, **_who(ctx, input.subscription_id)
            ),
        )
