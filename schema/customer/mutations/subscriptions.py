"""Subscription mutations about time: dates, frequency, skips, pause, cancel, reactivate."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from resolvers.ids import decode_optional_id
from schema.common.enums import Interval
from schema.customer.context import CustomerContext, Info
from schema.customer.mutations.subscription_support import SUBSCRIPTION_ID, SubscriptionPayload, run
from schema.customer.permissions import IsAuthenticated
from services import subscription_lifecycle as lifecycle
from services import subscription_schedule as schedule


def _sub(value: strawberry.ID) -> int | None:
    return decode_optional_id(value, "Subscription")


def _who(ctx: CustomerContext, subscription_id: strawberry.ID) -> dict[str, Any]:
    """The arguments every subscription service takes: whose, which, and who acts."""
    return {
        "customer_id": ctx.customer_id,
        "subscription_id": _sub(subscription_id),
        "actor": ctx.signed_in_actor,
    }


@strawberry.input(description="The new date of the next order.")
class ChangeNextOrderDateInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    date: date = strawberry.field(
        description="After today, within the store's horizon (shop's time zone)."
    )


@strawberry.input(description="A frequency: every `intervalCount` `interval`s.")
class FrequencyInput:
    interval: Interval = strawberry.field(description="The unit.")
    interval_count: int = strawberry.field(description="How many units between orders.")


@strawberry.input(description="The new frequency, one of `availableFrequencies`.")
class ChangeFrequencyInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    frequency: FrequencyInput = strawberry.field(description="The frequency wanted.")
    next_order_date: date | None = strawberry.field(
        default=None, description="Optionally, a new next order date as well."
    )


@strawberry.input(description="How many coming orders to skip.")
class SkipOrderInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    cycles: int | None = strawberry.field(
        default=1, description="1 up to the store's maximum (see `shop.settings`)."
    )


@strawberry.input(description="A skipped order date to bring back.")
class UnskipOrderInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    date: date = strawberry.field(description="A skipped date still to come (see `schedule`).")


@strawberry.input(description="How to pause.")
class PauseSubscriptionInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    pause_option_id: strawberry.ID = strawberry.field(description="One of `pauseOptions`.")


@strawberry.input(description="The paused subscription to run again.")
class UnpauseSubscriptionInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)


@strawberry.input(description="Why the customer cancels.")
class CancelWithReasonInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    reason_code: str = strawberry.field(description="The `code` of one of `cancelReasons`.")
    comment: str | None = strawberry.field(
        default=None,
        description="Required when the reason asks for one (at most 1,000 characters).",
    )


@strawberry.input(description="The retention offer taken instead of cancelling.")
class AcceptRetentionOfferInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    offer_id: strawberry.ID = strawberry.field(description="The `retentionOffer`'s id.")


@strawberry.input(description="The cancelled subscription to run again.")
class ReactivateSubscriptionInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    next_order_date: date = strawberry.field(
        description="Its next order: after today, within the store's horizon."
    )


@strawberry.type
class SubscriptionScheduleMutations:
    @strawberry.mutation(
        description="Move the next order; later orders follow from the new date by the "
        "frequency. Skips of the old schedule are dropped.",
        permission_classes=[IsAuthenticated],
    )
    async def change_next_order_date(
        self, info: Info, input: ChangeNextOrderDateInput
    ) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: schedule.change_next_order_date(
                ctx.rt, day=input.date, **_who(ctx, input.subscription_id)
            ),
        )

    @strawberry.mutation(
        description="Switch to another of `availableFrequencies` (not for prepaid "
        "subscriptions), optionally with a new next order date.",
        permission_classes=[IsAuthenticated],
    )
    async def change_frequency(
        self, info: Info, input: ChangeFrequencyInput
    ) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: schedule.change_frequency(
                ctx.rt,
                interval=input.frequency.interval,
                interval_count=input.frequency.interval_count,
                next_order_date=input.next_order_date,
                **_who(ctx, input.subscription_id),
            ),
        )

    @strawberry.mutation(
        description="Skip the next order, or several (up to the store's maximum); the next "
        "order date moves to the first order not skipped.",
        permission_classes=[IsAuthenticated],
    )
    async def skip_order(self, info: Info, input: SkipOrderInput) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: schedule.skip_orders(
                ctx.rt, cycles=input.cycles, **_who(ctx, input.subscription_id)
            ),
        )

    @strawberry.mutation(
        description="Bring back a skipped order date that is still to come.",
        permission_classes=[IsAuthenticated],
    )
    async def unskip_order(self, info: Info, input: UnskipOrderInput) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: schedule.unskip_order(
                ctx.rt, day=input.date, **_who(ctx, input.subscription_id)
            ),
        )

    @strawberry.mutation(
        description="Pause with one of `pauseOptions`; no order is placed while paused.",
        permission_classes=[IsAuthenticated],
    )
    async def pause_subscription(
        self, info: Info, input: PauseSubscriptionInput
    ) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: lifecycle.pause(
                ctx.rt,
                pause_option_id=decode_optional_id(input.pause_option_id, "PauseOption"),
                **_who(ctx, input.subscription_id),
            ),
        )

    @strawberry.mutation(
        description="End a pause now; the next order is the schedule's first date after today.",
        permission_classes=[IsAuthenticated],
    )
    async def unpause_subscription(
        self, info: Info, input: UnpauseSubscriptionInput
    ) -> SubscriptionPayload:
        return await run(
            info, lambda ctx: lifecycle.unpause(ctx.rt, **_who(ctx, input.subscription_id))
        )

    @strawberry.mutation(
        description="Cancel with one of `cancelReasons`: no more orders; orders already placed "
        "are not affected. Show `retentionOffer` first.",
        permission_classes=[IsAuthenticated],
    )
    async def cancel_with_reason(
        self, info: Info, input: CancelWithReasonInput
    ) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: lifecycle.cancel(
                ctx.rt,
                reason_code=input.reason_code,
                comment=input.comment,
                **_who(ctx, input.subscription_id),
            ),
        )

    @strawberry.mutation(
        description="Take the retention offer instead of cancelling: its discount applies to "
        "the recurring lines and the subscription stays. Once per subscription.",
        permission_classes=[IsAuthenticated],
    )
    async def accept_retention_offer(
        self, info: Info, input: AcceptRetentionOfferInput
    ) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: lifecycle.accept_retention_offer(
                ctx.rt,
                offer_id=decode_optional_id(input.offer_id, "RetentionOffer"),
                **_who(ctx, input.subscription_id),
            ),
        )

    @strawberry.mutation(
        description="Run a cancelled subscription again, its next order on the date chosen.",
        permission_classes=[IsAuthenticated],
    )
    async def reactivate_subscription(
        self, info: Info, input: ReactivateSubscriptionInput
    ) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: lifecycle.reactivate(
                ctx.rt, next_order_date=input.next_order_date, **_who(ctx, input.subscription_id)
            ),
        )
