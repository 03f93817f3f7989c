"""Carts made from past orders (buy again)."""

from __future__ import annotations

import strawberry

from models.order import Cart as CartRow
from models.order import CartLine as CartLineRow
from schema.catalog import ProductVariant
from schema.context import Info
from schema.errors import UserError
from schema.node import to_global_id
from schema.order import OrderLineItem
from services.order_actions import checkout_url


@strawberry.type(description="A variant and how many of it are in a cart.")
class CartLine:
    quantity: int = strawberry.field(description="Units in the cart.")
    row: strawberry.Private[CartLineRow]

    @strawberry.field(description="The variant in the cart.")
    async def variant(self, info: Info) -> ProductVariant:
        row = await info.context.loaders.variant_by_id.load(self.row.variant_id)
        # Cart lines cascade away with their variant, so it always exists.
        assert row is not None
        return (await ProductVariant.many(info, [row]))[0]


@strawberry.type(description="A cart on the storefront, ready for checkout.")
class Cart:
    id: strawberry.ID = strawberry.field(description="Global ID of the cart.")
    checkout_url: str = strawberry.field(description="Storefront page that checks this cart out.")
    row: strawberry.Private[CartRow]

    @classmethod
    def from_row(cls, row: CartRow, *, checkout: str) -> Cart:
        assert row.id is not None
        return cls(id=to_global_id("Cart", row.id), checkout_url=checkout, row=row)

    @strawberry.field(description="What is in the cart.")
    async def lines(self, info: Info) -> list[CartLine]:
        assert self.row.id is not None
        rows = await info.context.loaders.cart_lines_by_cart_id.load(self.row.id)
        return [CartLine(quantity=row.quantity, row=row) for row in rows]


def cart_from_row(info: Info, row: CartRow) -> Cart:
    return Cart.from_row(row, checkout=checkout_url(info.context.rt, row))


@strawberry.input(description="The order to buy again.")
class BuyAgainInput:
    order_id: strawberry.ID = strawberry.field(description="Global ID of a past order.")


@strawberry.type(description="A new cart with the order's items, and the items left out.")
class BuyAgainPayload:
    cart: Cart | None = strawberry.field(description="The new cart.")
    unavailable_line_items: list[OrderLineItem] = strawberry.field(
        default_factory=list,
        description="Lines of the order that are no longer for sale and were not added.",
    )
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")
