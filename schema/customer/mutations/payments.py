"""Saved cards: add one from a gateway token, choose the default, remove one."""

from __future__ import annotations

from typing import Any

import strawberry

from resolvers.ids import decode_id, to_global_id
from schema.common.errors import UserError, payload
from schema.customer.context import Info
from schema.customer.permissions import IsAuthenticated
from schema.customer.types.address import AddressInput
from schema.customer.types.customer import Customer
from schema.customer.types.payment import PaymentMethod
from services import payments


@strawberry.input(description="A card to save, as a token from the payment gateway's form.")
class AddPaymentMethodInput:
    gateway_token: str = strawberry.field(
        description="The one-time token the gateway's card form produced. Never a card number. "
        "Test gateway: tok_visa, tok_mastercard, tok_amex save a card; tok_chargeCustomerFail "
        "saves one whose charges are declined; tok_chargeDeclined and "
        "tok_chargeDeclinedExpiredCard are refused."
    )
    billing_address: AddressInput | None = strawberry.field(
        default=None, description="The card's billing address."
    )
    make_default: bool | None = strawberry.field(
        default=None,
        description="Make it the default card. Omitted or null: only if there is no default "
        "yet (so the first card always is).",
    )


@strawberry.input(description="A saved card to make the default.")
class SetDefaultPaymentMethodInput:
    id: strawberry.ID = strawberry.field(description="The payment method.")


@strawberry.input(description="A saved card to remove.")
class RemovePaymentMethodInput:
    id: strawberry.ID = strawberry.field(description="The payment method.")


@strawberry.type(description="Result of addPaymentMethod.")
class AddPaymentMethodPayload:
    payment_method: PaymentMethod | None = strawberry.field(description="The saved card.")
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type(description="Result of setDefaultPaymentMethod.")
class SetDefaultPaymentMethodPayload:
    payment_method: PaymentMethod | None = strawberry.field(description="The new default card.")
    customer: Customer | None = strawberry.field(
        description="The customer, with their cards as they are now."
    )
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type(description="Result of removePaymentMethod.")
class RemovePaymentMethodPayload:
    deleted_payment_method_id: strawberry.ID | None = strawberry.field(
        description="The global ID the removed card had."
    )
    customer: Customer | None = strawberry.field(
        description="The customer; removing the default card leaves no default."
    )
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


def _viewer(info: Info) -> Customer:
    viewer = info.context.viewer
    assert viewer is not None
    # The cards just changed: let `customer.paymentMethods` read them afresh.
    info.context.loaders.payment_methods_by_customer_id.clear_all()
    return Customer.from_row(viewer.customer)


@strawberry.type
class PaymentMutations:
    @strawberry.mutation(
        description="Save a card from a payment-gateway token (never a card number). The "
        "first card becomes the default. Honours the `Idempotency-Key` header.",
        permission_classes=[IsAuthenticated],
    )
    async def add_payment_method(
        self, info: Info, input: AddPaymentMethodInput
    ) -> AddPaymentMethodPayload:
        async def work() -> dict[str, Any]:
            address = input.billing_address
            row = await payments.add_payment_method(
                info.context.rt,
                customer_id=info.context.customer_id,
                gateway_token=input.gateway_token,
                billing_address=None if address is None else address.to_fields(),
                make_default=bool(input.make_default),
                actor=info.context.signed_in_actor,
                idempotency_key=info.context.idempotency_key,
            )
            return {"payment_method": PaymentMethod.from_row(row)}

        return await payload(AddPaymentMethodPayload, work())

    @strawberry.mutation(
        description="Make a saved card the default.", permission_classes=[IsAuthenticated]
    )
    async def set_default_payment_method(
        self, info: Info, input: SetDefaultPaymentMethodInput
    ) -> SetDefaultPaymentMethodPayload:
        async def work() -> dict[str, Any]:
            row = await payments.set_default_payment_method(
                info.context.rt,
                customer_id=info.context.customer_id,
                payment_method_id=decode_id(input.id, "PaymentMethod"),
            )
            return {"payment_method": PaymentMethod.from_row(row), "customer": _viewer(info)}

        return await payload(SetDefaultPaymentMethodPayload, work())

    @strawberry.mutation(
        description="Remove a saved card. Removing the default card leaves no default.",
        permission_classes=[IsAuthenticated],
    )
    async def remove_payment_method(
        self, info: Info, input: RemovePaymentMethodInput
    ) -> RemovePaymentMethodPayload:
        async def work() -> dict[str, Any]:
            removed = await payments.remove_payment_method(
                info.context.rt,
                customer_id=info.context.customer_id,
                payment_method_id=decode_id(input.id, "PaymentMethod"),
            )
            return {
                "deleted_payment_method_id": to_global_id("PaymentMethod", removed),
                "customer": _viewer(info),
            }

        return await payload(RemovePaymentMethodPayload, work())
