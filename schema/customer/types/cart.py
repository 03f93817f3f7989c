"""Carts made from past orders (buy again)."""

from __future__ import annotations

import strawberry

from models.order import Cart as CartRow
from models.order import CartLine as CartLineRow
from resolvers.context import RequestContext
from resolvers.ids import to_global_id
from schema.common.node import Node
from schema.customer.context import Info
from schema.customer.nodes import nodes
from schema.customer.types.catalog import ProductVariant
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
        return (await ProductVariant.many(info.context, [row]))[0]


@strawberry.type(
    description="A cart on the storefront, ready for checkout; its owner reads it back "
    "with `node(id:)`."
)
class Cart(Node):
    checkout_url: str = strawberry.field(description="Storefront page that checks this cart out.")
    row: strawberry.Private[CartRow]

    @classmethod
    def from_row(cls, ctx: RequestContext, row: CartRow) -> Cart:
        assert row.id is not None
        return cls(id=to_global_id("Cart", row.id), checkout_url=checkout_url(ctx.rt, row), row=row)

    @strawberry.field(description="What is in the cart.")
    async def lines(self, info: Info) -> list[CartLine]:
        assert self.row.id is not None
        rows = await info.context.loaders.cart_lines_by_cart_id.load(self.row.id)
        return [CartLine(quantity=row.quantity, row=row) for row in rows]


async def _cart_node(ctx: RequestContext, row: CartRow) -> Cart:
    return Cart.from_row(ctx, row)


nodes.register("Cart", model=CartRow, loader=lambda loaders: loaders.cart_by_id, wrap=_cart_node)
