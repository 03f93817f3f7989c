"""Order resolvers: history connection, node fetcher, batch loads, buyAgain, cancelOrder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from sqlmodel import col

from auth.permissions import IsAuthenticated
from models.database import Database
from models.order import CartLine as CartLineRow
from models.order import FulfillmentEvent as EventRow
from models.order import Order as OrderRow
from models.order import OrderDiscount as DiscountRow
from models.order import OrderLineItem as LineRow
from resolvers.batch import groups_by_key, rows_by_key
from resolvers.catalog import bad_input
from resolvers.errors import payload
from resolvers.node import node_fetcher
from schema.cart import BuyAgainInput, BuyAgainPayload, cart_from_row
from schema.context import Info
from schema.node import decode_id
from schema.order import (
    CancelOrderInput,
    CancelOrderPayload,
    Order,
    OrderConnection,
    OrderEdge,
    OrderLineItem,
)
from schema.pagination import PageInfo
from services import order_actions, orders
from services.errors import ServiceError
from services.pagination import InvalidCursor, Page


async def orders_by_id(db: Database, ids: Sequence[int]) -> list[OrderRow | None]:
    return await rows_by_key(db, OrderRow, col(OrderRow.id), ids)


async def line_items_by_order_id(db: Database, ids: Sequence[int]) -> list[list[LineRow]]:
    return await groups_by_key(
        db, LineRow, col(LineRow.order_id), ids, col(LineRow.position), col(LineRow.id)
    )


async def discounts_by_order_id(db: Database, ids: Sequence[int]) -> list[list[DiscountRow]]:
    return await groups_by_key(db, DiscountRow, col(DiscountRow.order_id), ids, col(DiscountRow.id))


async def events_by_order_id(db: Database, ids: Sequence[int]) -> list[list[EventRow]]:
    return await groups_by_key(
        db, EventRow, col(EventRow.order_id), ids, col(EventRow.happened_at), col(EventRow.id)
    )


async def cart_lines_by_cart_id(db: Database, ids: Sequence[int]) -> list[list[CartLineRow]]:
    return await groups_by_key(db, CartLineRow, col(CartLineRow.cart_id), ids, col(CartLineRow.id))


async def customer_orders(
    info: Info,
    customer_id: int,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> OrderConnection:
    try:
        # Page[Any]: PageInfo.from_page takes Page[object] and Page is invariant.
        page: Page[Any] = await info.context.loaders.run(
            orders.list_orders(
                info.context.rt,
                customer_id=customer_id,
                first=first,
                after=after,
                last=last,
                before=before,
            )
        )
    except InvalidCursor as error:
        raise bad_input(str(error).capitalize()) from None
    return OrderConnection(
        edges=[
            OrderEdge(cursor=cursor, node=Order.from_row(row))
            for row, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=PageInfo.from_page(page),
    )


@node_fetcher("Order")
async def fetch_order(info: Info, pk: int) -> Order | None:
    row = await info.context.loaders.order_by_id.load(pk)
    if row is None or row.customer_id != info.context.customer_id:
        return None
    return Order.from_row(row)


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
                idempotency_key=ctx.idempotency_key,
            )
            assert result.cart.id is not None
            # The service just read these lines; `Cart.lines` need not read them again.
            ctx.loaders.cart_lines_by_cart_id.prime(result.cart.id, result.lines)
            return {
                "cart": cart_from_row(info, result.cart),
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
                idempotency_key=ctx.idempotency_key,
            )
            assert row.id is not None
            # Anything in this request that loaded the order before must see the new state.
            ctx.loaders.order_by_id.prime(row.id, row, force=True)
            return {"order": Order.from_row(row)}

        return await payload(CancelOrderPayload, work())
