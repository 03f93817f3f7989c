"""What every subscription mutation shares: its payload and the one way it is run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from models.subscription import Subscription as SubscriptionRow
from schema.common.errors import UserError, payload
from schema.customer.context import CustomerContext, Info
from schema.customer.types.subscription import Subscription

SUBSCRIPTION_ID = "Global ID of one of the customer's subscriptions."


@strawberry.type(description="The subscription as changed, or why it was not.")
class SubscriptionPayload:
    subscription: Subscription | None = strawberry.field(description="The subscription, changed.")
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


def changed(ctx: CustomerContext, row: SubscriptionRow) -> Subscription:
    """Wrap the committed row; whatever this request loaded of it before is stale."""
    assert row.id is not None
    loaders = ctx.loaders
    loaders.subscription_by_id.prime(row.id, row, force=True)
    for stale in (
        loaders.lines_by_subscription_id,
        loaders.skipped_cycles_by_subscription_id,
        loaders.discount_codes_by_subscription_id,
    ):
        # clear_all, not clear(key): Strawberry's clear raises KeyError for a key never loaded.
        stale.clear_all()
    return Subscription.from_row(row)


async def run(
    info: Info, call: Callable[[CustomerContext], Awaitable[SubscriptionRow]]
) -> SubscriptionPayload:
    """Call the service; its refusal becomes the payload's userError."""

    async def work() -> dict[str, Any]:
        return {"subscription": changed(info.context, await call(info.context))}

    return await payload(SubscriptionPayload, work())
