"""The pieces of a subscription as the portal shows them: frequency, lines, options, history."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from domain.schedule import Frequency as FrequencyValue
from models.merchant import CancelReason as CancelReasonRow
from models.merchant import PauseOption as PauseOptionRow
from models.subscription import SubscriptionEvent as EventRow
from models.subscription import SubscriptionLine as LineRow
from plumbing.pagination import MAX_PAGE
from resolvers.ids import to_global_id
from resolvers.pages import bad_user_input
from schema.common.enums import Interval
from schema.common.money import Money, money
from schema.common.pagination import PageInfo
from schema.customer.context import Info
from schema.customer.types.catalog import ProductVariant
from schema.customer.types.order import DiscountApplication


def list_size(first: int | None, default: int) -> int:
    """A plain list's `first`: 1 to MAX_PAGE, the default when absent."""
    if first is None:
        return default
    if not 1 <= first <= MAX_PAGE:
        raise bad_user_input(f"first must be between 1 and {MAX_PAGE}")
    return first


@strawberry.type(description="How often orders come: every `intervalCount` `interval`s.")
class Frequency:
    interval: Interval = strawberry.field(description="The unit: day, week, month or year.")
    interval_count: int = strawberry.field(description="How many units between orders.")

    @classmethod
    def from_value(cls, value: FrequencyValue) -> Frequency:
        return cls(interval=value.interval, interval_count=value.count)


@strawberry.type(description="A product on a subscription.")
class SubscriptionLine:
    id: strawberry.ID = strawberry.field(description="Global ID of this line.")
    quantity: int = strawberry.field(description="Units per order.")
    unit_price: Money = strawberry.field(description="Price of one unit on this subscription.")
    one_time: bool = strawberry.field(description="Added for the next order only.")
    row: strawberry.Private[LineRow]

    @classmethod
    def from_row(cls, row: LineRow, currency: str) -> SubscriptionLine:
        assert row.id is not None
        return cls(
            id=to_global_id("SubscriptionLine", row.id),
            quantity=row.quantity,
            unit_price=money(row.unit_price, currency),
            one_time=row.one_time,
            row=row,
        )

    @strawberry.field(description="The variant ordered.")
    async def variant(self, info: Info) -> ProductVariant:
        row = await info.context.loaders.variant_by_id.load(self.row.variant_id)
        # The foreign key restricts deletion, so a line's variant always exists.
        return (await ProductVariant.many(info.context, [row]))[0]


@strawberry.type(description="The next order: its date, what it will contain and cost.")
class UpcomingOrder:
    date: date = strawberry.field(description="When it will be placed, in the shop's time zone.")
    lines: list[SubscriptionLine] = strawberry.field(
        description="Recurring lines and one-time add-ons."
    )
    subtotal: Money = strawberry.field(description="Sum of the lines.")
    discounts: list[DiscountApplication] = strawberry.field(description="Discounts it will get.")
    total: Money = strawberry.field(description="Subtotal less discounts, before shipping and tax.")


@strawberry.type(
    description="What this customer may do to this subscription now: merchant flags and "
    "state combined. Each flag is true exactly when the matching mutation would be accepted "
    "(input aside)."
)
class SubscriptionActions:
    can_change_next_order_date: bool = strawberry.field(description="changeNextOrderDate.")
    can_change_frequency: bool = strawberry.field(description="changeFrequency.")
    can_edit_shipping_address: bool = strawberry.field(description="updateSubscriptionAddress.")
    can_update_payment_method: bool = strawberry.field(
        description="updateSubscriptionPaymentMethod."
    )
    can_swap_product: bool = strawberry.field(description="swapProduct.")
    can_change_variant: bool = strawberry.field(description="changeVariant.")
    can_get_now: bool = strawberry.field(description="getNow (once a day at most).")
    can_skip: bool = strawberry.field(description="skipOrder.")
    can_unskip: bool = strawberry.field(description="unskipOrder.")
    can_add_product: bool = strawberry.field(description="addProduct.")
    can_edit_lines: bool = strawberry.field(description="updateLineQuantity and removeLine.")
    can_apply_discount: bool = strawberry.field(
        description="applyDiscountCode and removeDiscountCode."
    )
    can_pause: bool = strawberry.field(description="pauseSubscription.")
    can_unpause: bool = strawberry.field(description="unpauseSubscription.")
    can_cancel: bool = strawberry.field(description="cancelWithReason.")
    can_accept_retention_offer: bool = strawberry.field(description="acceptRetentionOffer.")
    can_reactivate: bool = strawberry.field(description="reactivateSubscription.")


@strawberry.type(description="A way to pause offered by the store.")
class PauseOption:
    id: strawberry.ID = strawberry.field(description="Pass to pauseSubscription.")
    label: str = strawberry.field(description='What the customer sees, e.g. "For a month".')
    days: int | None = strawberry.field(description="null: open-ended")

    @classmethod
    def from_row(cls, row: PauseOptionRow) -> PauseOption:
        assert row.id is not None
        return cls(id=to_global_id("PauseOption", row.id), label=row.label, days=row.days)


@strawberry.type(description="A reason to cancel offered by the store.")
class CancelReason:
    code: str = strawberry.field(description="Pass to cancelWithReason.")
    label: str = strawberry.field(description="What the customer sees.")
    requires_comment: bool = strawberry.field(
        description="cancelWithReason needs a comment with this reason."
    )

    @classmethod
    def from_row(cls, row: CancelReasonRow) -> CancelReason:
        return cls(code=row.code, label=row.label, requires_comment=row.requires_comment)


@strawberry.type(description="A downsell offered instead of cancelling.")
class RetentionOffer:
    id: strawberry.ID = strawberry.field(description="Pass to acceptRetentionOffer.")
    title: str = strawberry.field(description='What the customer sees, e.g. "20% off".')
    price: Money = strawberry.field(
        description="What the subscription's recurring lines would cost per order with it."
    )
    percent_off: str = strawberry.field(description="The share taken off, in percent.")


@strawberry.type(description="A coming order date of the schedule.")
class ScheduledOrder:
    date: date = strawberry.field(description="The order date, in the shop's time zone.")
    skipped: bool = strawberry.field(description="The customer skipped this one.")


@strawberry.type(description="A change made to a subscription.")
class SubscriptionHistoryEntry:
    action: str = strawberry.field(description='What was done, e.g. "skip" or "pause".')
    actor: str = strawberry.field(description='Who did it: "customer", "merchant" or "system".')
    happened_at: datetime = strawberry.field(description="When.")
    before: JSON = strawberry.field(description="The values it changed, before.")
    after: JSON = strawberry.field(description="The same values, after.")

    @classmethod
    def from_row(cls, row: EventRow) -> SubscriptionHistoryEntry:
        kind = row.actor.partition(":")[0]
        return cls(
            action=row.action,
            actor="merchant" if kind == "api_key" else kind,
            happened_at=row.created_at,
            before=cast(JSON, row.before),
            after=cast(JSON, row.after),
        )


@strawberry.type(description="A change in a page of history.")
class SubscriptionHistoryEdge:
    cursor: str = strawberry.field(description="Pass as `after` to page from here.")
    node: SubscriptionHistoryEntry = strawberry.field(description="The change.")


@strawberry.type(description="A page of a subscription's history, newest first.")
class SubscriptionHistoryConnection:
    edges: list[SubscriptionHistoryEdge] = strawberry.field(description="The changes.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
