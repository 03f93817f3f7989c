"""Root query fields of the merchant surface: customers and orders by any key it knows."""

from __future__ import annotations

import strawberry

from domain.scopes import Scope
from resolvers.ids import decode_id
from schema.admin.context import Info
from schema.admin.permissions import requires
from schema.admin.types import Customer, Order
from services.merchant_reads import customer_by_email, order_by_store_id


@strawberry.type
class Query:
    @strawberry.field(
        description="A customer by global ID or by email (give one); null when none matches.",
        permission_classes=[requires(Scope.CUSTOMERS_READ)],
    )
    async def customer(
        self, info: Info, id: strawberry.ID | None = None, email: str | None = None
    ) -> Customer | None:
        ctx = info.context
        if id is not None:
            pk = decode_id(id, "Customer")
            row = None if pk is None else await ctx.loaders.customer_by_id.load(pk)
        elif email is not None:
            row = await customer_by_email(ctx.rt, email)
        else:
            return None
        return None if row is None else Customer.from_row(row)

    @strawberry.field(
        description="An order by global ID or by the store's own order id (give one); null "
        "when none matches.",
        permission_classes=[requires(Scope.ORDERS_READ)],
    )
    async def order(
        self, info: Info, id: strawberry.ID | None = None, store_order_id: str | None = None
    ) -> Order | None:
        ctx = info.context
        if id is not None:
            pk = decode_id(id, "Order")
            row = None if pk is None else await ctx.loaders.order_by_id.load(pk)
        elif store_order_id is not None:
            row = await order_by_store_id(ctx.rt, store_order_id)
        else:
            return None
        return None if row is None else Order.from_row(row)
