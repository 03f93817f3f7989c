"""Subscription mutations about what is ordered: add, change quantity, remove, swap, vary."""

from __future__ import annotations

import strawberry

from resolvers.ids import decode_optional_id
from schema.customer.context import Info
from schema.customer.mutations.subscription_support import SUBSCRIPTION_ID, SubscriptionPayload, run
from schema.customer.mutations.subscriptions import _who
from schema.customer.permissions import IsAuthenticated
from services import subscription_lines as lines

LINE_ID = "Global ID of one of the subscription's `lines`."


def _line(value: strawberry.ID) -> int | None:
    return decode_optional_id(value, "SubscriptionLine")


def _variant(value: strawberry.ID) -> int | None:
    return decode_optional_id(value, "ProductVariant")


@strawberry.input(description="A product to add to the subscription.")
class AddProductInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    variant_id: strawberry.ID = strawberry.field(
        description="An available variant of an active product (e.g. from `upsellVariants`)."
    )
    quantity: int | None = strawberry.field(default=1, description="Units per order, 1 to 99.")
    one_time: bool = strawberry.field(
        description="True: for the next order only; false: in every order."
    )


@strawberry.input(description="A line's new quantity.")
class UpdateLineQuantityInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    line_id: strawberry.ID = strawberry.field(description=LINE_ID)
    quantity: int = strawberry.field(description="Units per order, 1 to 99.")


@strawberry.input(description="A line to take off the subscription.")
class RemoveLineInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    line_id: strawberry.ID = strawberry.field(description=LINE_ID)


@strawberry.input(description="Another product to receive instead of a line's.")
class SwapProductInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    line_id: strawberry.ID = strawberry.field(description=LINE_ID)
    variant_id: strawberry.ID = strawberry.field(
        description="An available variant of another active, swap-eligible product."
    )


@strawberry.input(description="Another variant of the same product for a line.")
class ChangeVariantInput:
    subscription_id: strawberry.ID = strawberry.field(description=SUBSCRIPTION_ID)
    line_id: strawberry.ID = strawberry.field(description=LINE_ID)
    variant_id: strawberry.ID = strawberry.field(
        description="An available variant of the line's product."
    )


@strawberry.type
class SubscriptionLineMutations:
    @strawberry.mutation(
        description="Add a product for the next order only or for every order. A line of the "
        "same variant and kind takes the quantity instead (at most 99 in all).",
        permission_classes=[IsAuthenticated],
    )
    async def add_product(self, info: Info, input: AddProductInput) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: lines.add_product(
                ctx.rt,
                variant_id=_variant(input.variant_id),
                quantity=input.quantity,
                one_time=input.one_time,
                **_who(ctx, input.subscription_id),
            ),
        )

    @strawberry.mutation(
        description="Change how many units of a line each order gets.",
        permission_classes=[IsAuthenticated],
    )
    async def update_line_quantity(
        self, info: Info, input: UpdateLineQuantityInput
    ) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: lines.update_line_quantity(
                ctx.rt,
                line_id=_line(input.line_id),
                quantity=input.quantity,
                **_who(ctx, input.subscription_id),
            ),
        )

    @strawberry.mutation(
        description="Take a product off. The last recurring product cannot be removed: "
        "cancel the subscription instead.",
        permission_classes=[IsAuthenticated],
    )
    async def remove_line(self, info: Info, input: RemoveLineInput) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: lines.remove_line(
                ctx.rt, line_id=_line(input.line_id), **_who(ctx, input.subscription_id)
            ),
        )

    @strawberry.mutation(
        description="Replace a line's product by another, swap-eligible one, at its price.",
        permission_classes=[IsAuthenticated],
    )
    async def swap_product(self, info: Info, input: SwapProductInput) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: lines.swap_product(
                ctx.rt,
                line_id=_line(input.line_id),
                variant_id=_variant(input.variant_id),
                **_who(ctx, input.subscription_id),
            ),
        )

    @strawberry.mutation(
        description="Change a line to another variant (size, flavour...) of the same product, "
        "at that variant's price.",
        permission_classes=[IsAuthenticated],
    )
    async def change_variant(self, info: Info, input: ChangeVariantInput) -> SubscriptionPayload:
        return await run(
            info,
            lambda ctx: lines.change_variant(
                ctx.rt,
                line_id=_line(input.line_id),
                variant_id=_variant(input.variant_id),
                **_who(ctx, input.subscription_id),
            ),
        )
