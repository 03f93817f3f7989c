"""What a customer can do with a past order: buy it again, or cancel it."""

from __future__ import annotations

import strawberry

from domain.errors import ServiceError
from models.order import OrderLineItem as LineRow
from resolvers.ids import decode_id
from schema.common.errors import UserError, payload
from schema.customer.context import Info
from schema.customer.permissions import IsAuthenticated
from schema.customer.types.cart import Cart
from schema.customer.types.order import Order, OrderLineItem
from services import order_actions


@strawberry.input(description="Which order to cancel, and why.")
class CancelOrderInput:
    order_id: strawberry.ID = strawberry.field(description="Global ID of the order.")
    reason: str | None = strawberry.field(
        default=None, description="Optional note for the store (at most 500 characters)."
    )


@strawberry.type(description="The cancelled order, or why it was not cancelled.")
class CancelOrderPayload:
    order: Order | None = strawberry.field(description="The order, now cancelled.")
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


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


def line_items(rows: list[LineRow], currency_code: str) -> list[OrderLineItem]:
    return [OrderLineItem.from_row(row, currency_code) for row in rows]


@strawberry.type
class OrderMutations:
    @strawberry.mutation(
        description="Put the items of a past order into a new cart. Items no longer for sale "
        "are returned in `unavailableLineItems`. Honours `Idempotency-Key`.",
        permission_classes=[IsAuthenticated],
    )
    async def buy_again(self, info: Info, input: BuyAgainInput) -> BuyAgainPayload:
        async def work() -> dict[str, object]:
            ctx = info.context
            result = await order_actions.buy_again(
                ctx.rt,
                customer_id=ctx.customer_id,
                order_id=decode_id(input.order_id, "Order"),
                actor=ctx.signed_in_actor,
                idempotency_key=ctx.idempotency_key,
            )
            assert result.cart.id is not None
            # The service just read these lines; `Cart.lines` need not read them again.
            ctx.loaders.cart_lines_by_cart_id.prime(result.cart.id, result.lines)
            return {
                "cart": Cart.from_row(ctx, result.cart),
                "unavailable_line_items": line_items(result.unavailable, result.currency_code),
            }

        def refused(error: ServiceError) -> dict[str, object]:
            if isinstance(error, order_actions.NothingAvailable):
                return {"unavailable_line_items": line_items(error.lines, error.currency_code)}
            return {}

        return await payload(BuyAgainPayload, work(), refused=refused)

    @strawberry.mutation(
        description="Cancel an open, unfulfilled order, if the store allows it. "
        "Honours `Idempotency-Key`.",
        permission_classes=[IsAuthenticated],
    )
    async def cancel_order(self, info: Info, input: CancelOrderInput) -> CancelOrderPayload:
        async def work() -> dict[str, object]:
            ctx = info.context
            row = await order_actions.cancel_order(
                ctx.rt,
                customer_id=ctx.customer_id,
                order_id=decode_id(input.order_id, "Order"),
                reason=input.reason,
                actor=ctx.signed_in_actor,
                idempotency_key=ctx.idempotency_key,
            )
            assert row.id is not None
            # Anything in this request that loaded the order before must see the new state.
            ctx.loaders.order_by_id.prime(row.id, row, force=True)
            return {"order": Order.from_row(row)}

        return await payload(CancelOrderPayload, work())
