"""Subscription mutations that place orders: getNow."""

from __future__ import annotations

from typing import Any

import strawberry

from schema.common.errors import UserError, payload
from schema.customer.context import Info
from schema.customer.mutations.subscription_support import SUBSCRIPTION_ID, changed
from schema.customer.mutations.subscriptions import _who
from schema.customer.permissions import IsAuthenticated
from schema.customer.types.order import Order
from schema.customer.types.subscription import Subscription
from services import subscription_orders


@strawberry.input(description="The subscription whose next order to place now.")
class GetNowInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)


@strawberry.type(description="The order placed now and the subscription after it, or why not.")
class GetNowPayload:
    order: Order | None = strawberry.field(description="The order just placed.")
    subscription: Subscription | None = strawberry.field(
        description="The subscription, its next order date recalculated from today."
    )
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type
class SubscriptionOrderMutations:
    @strawberry.mutation(
        description="Place the next order now, charged to the subscription's card; later "
        "orders follow from today by the frequency. One early order per day (`canGetNow`). "
        "A declined card answers PAYMENT_DECLINED and changes nothing. Honours "
        "`Idempotency-Key`.",
        permission_classes=[IsAuthenticated],
    )
    async def get_now(self, info: Info, input: GetNowInput) -> GetNowPayload:
        async def work() -> dict[str, Any]:
            ctx = info.context
            order, sub = await subscription_orders.get_now(
                ctx.rt,
                idempotency_key=ctx.idempotency_key,
                **_who(ctx, input.subscription_id),
            )
            assert order.id is not None
            ctx.loaders.order_by_id.prime(order.id, order, force=True)
            return {"order": Order.from_row(order), "subscription": changed(ctx, sub)}

        return await payload(GetNowPayload, work())
