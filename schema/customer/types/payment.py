"""Saved cards: the `PaymentMethod` type."""

from __future__ import annotations

import strawberry

from models.address import PaymentMethod as PaymentMethodRow
from resolvers.context import RequestContext
from resolvers.ids import to_global_id
from schema.common.node import Node
from schema.customer.nodes import nodes
from schema.customer.types.address import MailingAddress


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


async def _payment_method_node(ctx: RequestContext, row: PaymentMethodRow) -> PaymentMethod:
    return PaymentMethod.from_row(row)


nodes.register(
    "PaymentMethod",
    model=PaymentMethodRow,
    loader=lambda loaders: loaders.payment_method_by_id,
    wrap=_payment_method_node,
)
