"""Saved cards: the `PaymentMethod` type, its inputs and payloads."""

from __future__ import annotations

import strawberry

from models.address import PaymentMethod as PaymentMethodRow
from schema.address import AddressInput, MailingAddress
from schema.customer import Customer
from schema.errors import UserError
from schema.node import Node, to_global_id


@strawberry.type(
    description="A card saved with the payment gateway. Only display details are kept here, "
    "never the card number."
)
class PaymentMethod(Node):
    brand: str = strawberry.field(description='Card brand, e.g. "Visa".')
    last4: str = strawberry.field(description="Last four digits of the card number.")
    expiry_month: int = strawberry.field(description="Expiry month, 1 to 12.")
    expiry_year: int = strawberry.field(description="Expiry year, four digits.")
    billing_address: MailingAddress | None = strawberry.field(
        description="The billing address given with the card, as it was entered."
    )
    is_default: bool = strawberry.field(
        description="The card used when the customer does not choose one."
    )
    row: strawberry.Private[PaymentMethodRow]

    @classmethod
    def from_row(cls, row: PaymentMethodRow) -> PaymentMethod:
        assert row.id is not None
        return cls(
            id=to_global_id("PaymentMethod", row.id),
            brand=row.brand,
            last4=row.last4,
            expiry_month=row.expiry_month,
            expiry_year=row.expiry_year,
            billing_address=(
                None
                if row.billing_address is None
                else MailingAddress.from_snapshot(row.billing_address)
            ),
            is_default=row.is_default,
            row=row,
        )


@strawberry.input(description="A card to save, as a token from the payment gateway's form.")
class AddPaymentMethodInput:
    gateway_token: str = strawberry.field(
        description="The one-time token the gateway's card form produced. Never a card number. "
        "Test gateway: tok_visa, tok_mastercard, tok_amex save a card; tok_chargeDeclined "
        "and tok_chargeDeclinedExpiredCard are refused."
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
