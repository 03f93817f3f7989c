"""Subscriptions as the portal shows them: schedule, lines, money, and what may be done."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from domain.schedule import Frequency as FrequencyValue
from domain.schedule import shop_today
from models.shop import SHOP_ID
from models.subscription import Subscription as SubscriptionRow
from resolvers.context import RequestContext
from resolvers.ids import to_global_id
from schema.common.enums import SubscriptionStatus
from schema.common.money import money
from schema.common.node import Node
from schema.common.pagination import PAGING, PageInfo, connection
from schema.customer.context import Info
from schema.customer.nodes import nodes
from schema.customer.types.address import MailingAddress
from schema.customer.types.catalog import ProductVariant
from schema.customer.types.order import DiscountApplication, Order, OrderConnection, OrderEdge
from schema.customer.types.payment import PaymentMethod
from schema.customer.types.subscription_parts import (
    CancelReason,
    Frequency,
    PauseOption,
    RetentionOffer,
    ScheduledOrder,
    SubscriptionActions,
    SubscriptionHistoryConnection,
    SubscriptionHistoryEdge,
    SubscriptionHistoryEntry,
    SubscriptionLine,
    UpcomingOrder,
    list_size,
)
from services import orders
from services.subscription_pricing import PricedOrder, price, with_offer
from services.subscription_rules import allowed_actions
from services.subscriptions import allowed_frequencies, history_page, upcoming_dates

DEFAULT_SCHEDULE = 6
DEFAULT_UPSELLS = 10


@strawberry.type(description="A recurring order: what comes, when, where, and how it is paid.")
class Subscription(Node):
    status: SubscriptionStatus = strawberry.field(
        description="Active, paused, cancelled or past due."
    )
    next_order_date: date | None = strawberry.field(
        description="When the next order is placed (shop's time zone); null when none is "
        "coming (cancelled, or paused until further notice)."
    )
    paused_until: date | None = strawberry.field(
        description="The day a fixed pause ends; null otherwise."
    )
    frequency: Frequency = strawberry.field(description="How often orders come.")
    available_frequencies: list[Frequency] = strawberry.field(
        description="Empty or one element: the frequency cannot be changed."
    )
    is_prepaid: bool = strawberry.field(description="Paid in advance for a number of orders.")
    prepaid_orders_remaining: int | None = strawberry.field(
        description="Prepaid orders still to ship; null when not prepaid."
    )
    created_at: datetime = strawberry.field(description="When the subscription started.")
    cancelled_at: datetime | None = strawberry.field(description="When it was cancelled.")
    row: strawberry.Private[SubscriptionRow]

    @classmethod
    def from_row(cls, row: SubscriptionRow) -> Subscription:
        assert row.id is not None
        return cls(
            id=to_global_id("Subscription", row.id),
            status=row.status,
            next_order_date=row.next_order_date,
            paused_until=row.paused_until,
            frequency=Frequency.from_value(FrequencyValue(row.interval, row.interval_count)),
            available_frequencies=[Frequency.from_value(f) for f in allowed_frequencies(row)],
            is_prepaid=row.is_prepaid,
            prepaid_orders_remaining=row.prepaid_cycles_remaining if row.is_prepaid else None,
            created_at=row.created_at,
            cancelled_at=row.cancelled_at,
            row=row,
        )

    @property
    def pk(self) -> int:
        assert self.row.id is not None
        return self.row.id

    @strawberry.field(description="Products on the subscription: recurring lines and add-ons.")
    async def lines(self, info: Info) -> list[SubscriptionLine]:
        rows = await info.context.loaders.lines_by_subscription_id.load(self.pk)
        return [SubscriptionLine.from_row(row, self.row.currency_code) for row in rows]

    @strawberry.field(description="Where orders ship: a snapshot taken when it was set.")
    def shipping_address(self) -> MailingAddress | None:
        snapshot = self.row.shipping_address
        return MailingAddress.from_snapshot(snapshot) if snapshot else None

    @strawberry.field(description="The card charged for each order; null if none is set.")
    async def payment_method(self, info: Info) -> PaymentMethod | None:
        if self.row.payment_method_id is None:
            return None
        row = await info.context.loaders.payment_method_by_id.load(self.row.payment_method_id)
        if row is None or row.customer_id != self.row.customer_id:
            return None
        return PaymentMethod.from_row(row)

    async def _priced(self, info: Info) -> PricedOrder:
        loaders = info.context.loaders
        lines = await loaders.lines_by_subscription_id.load(self.pk)
        codes = await loaders.discount_codes_by_subscription_id.load(self.pk)
        return price(lines, codes, info.context.rt.clock.now())

    def _discounts(self, priced: PricedOrder) -> list[DiscountApplication]:
        currency = self.row.currency_code
        return [
            DiscountApplication(code=d.code, title=d.title, amount=money(d.amount, currency))
            for d in priced.discounts
        ]

    @strawberry.field(
        description="Discount codes applied, with what each takes off the next order."
    )
    async def discounts(self, info: Info) -> list[DiscountApplication]:
        return self._discounts(await self._priced(info))

    @strawberry.field(
        description="What the next order will contain and cost, with one-time add-ons and "
        "discounts; null when no order is coming."
    )
    async def upcoming_order(self, info: Info) -> UpcomingOrder | None:
        if self.row.next_order_date is None:
            return None
        priced = await self._priced(info)
        currency = self.row.currency_code
        return UpcomingOrder(
            date=self.row.next_order_date,
            lines=[SubscriptionLine.from_row(line, currency) for line in priced.lines],
            subtotal=money(priced.subtotal, currency),
            discounts=self._discounts(priced),
            total=money(priced.total, currency),
        )

    @strawberry.field(description=f"Orders this subscription placed, newest first. {PAGING}")
    async def orders(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> OrderConnection:
        read = orders.list_orders(
            info.context.rt,
            customer_id=self.row.customer_id,
            subscription_id=self.pk,
            first=first,
            after=after,
        )
        return await connection(
            info.context,
            read,
            connection_type=OrderConnection,
            edge_type=OrderEdge,
            node=Order.from_row,
            path=info.path,
        )

    @strawberry.field(
        description="What this customer may do to this subscription now: merchant flags and "
        "state combined."
    )
    async def actions(self, info: Info) -> SubscriptionActions:
        loaders = info.context.loaders
        settings = await loaders.settings_by_shop_id.load(SHOP_ID)
        shop = await loaders.shop_by_id.load(SHOP_ID)
        assert settings is not None and shop is not None
        today = shop_today(info.context.rt.clock.now(), shop.time_zone)
        flags = allowed_actions(self.row, settings, today)
        return SubscriptionActions(**{f"can_{action.value}": on for action, on in flags.items()})

    @strawberry.field(description="How the customer may pause, as the store offers.")
    async def pause_options(self, info: Info) -> list[PauseOption]:
        rows = await info.context.loaders.pause_options_by_shop_id.load(SHOP_ID)
        return [PauseOption.from_row(row) for row in rows]

    @strawberry.field(description="Reasons to choose from when cancelling.")
    async def cancel_reasons(self, info: Info) -> list[CancelReason]:
        rows = await info.context.loaders.cancel_reasons_by_shop_id.load(SHOP_ID)
        return [CancelReason.from_row(row) for row in rows]

    @strawberry.field(
        description="The downsell offer presented in the cancel flow, if the merchant configured "
        "one; null once one was accepted on this subscription, or when it is cancelled."
    )
    async def retention_offer(self, info: Info) -> RetentionOffer | None:
        if self.row.retention_accepted_at is not None or self.row.cancelled_at is not None:
            return None
        loaders = info.context.loaders
        offers = await loaders.retention_offers_by_shop_id.load(SHOP_ID)
        if not offers:
            return None
        offer = offers[0]
        assert offer.id is not None
        lines = await loaders.lines_by_subscription_id.load(self.pk)
        recurring = sum(
            (
                with_offer(line.unit_price, offer.percent_off) * line.quantity
                for line in lines
                if not line.one_time
            ),
            start=Decimal(0),
        )
        return RetentionOffer(
            id=to_global_id("RetentionOffer", offer.id),
            title=offer.title,
            price=money(recurring, self.row.currency_code),
            percent_off=format(offer.percent_off.normalize(), "f"),
        )

    @strawberry.field(
        description="Eligible products for the upsell carousel: available add-ons not already "
        "on the subscription (at most 100; 10 by default)."
    )
    async def upsell_variants(self, info: Info, first: int | None = None) -> list[ProductVariant]:
        size = list_size(first, DEFAULT_UPSELLS)
        loaders = info.context.loaders
        candidates = await loaders.upsell_variants_by_shop_id.load(SHOP_ID)
        lines = await loaders.lines_by_subscription_id.load(self.pk)
        taken = {line.variant_id for line in lines}
        chosen = [row for row in candidates if row.id not in taken][:size]
        return await ProductVariant.many(info.context, chosen)

    @strawberry.field(
        description="The coming order dates, each marked skipped or not, for a calendar (at "
        "most 100; 6 by default). Empty when no order is coming."
    )
    async def schedule(self, info: Info, first: int | None = None) -> list[ScheduledOrder]:
        size = list_size(first, DEFAULT_SCHEDULE)
        if self.row.next_order_date is None:
            return []
        rows = await info.context.loaders.skipped_cycles_by_subscription_id.load(self.pk)
        skipped = {row.order_date for row in rows}
        # Skipped dates before the next order are still to come and shown too.
        start = min([self.row.next_order_date, *skipped]) if skipped else self.row.next_order_date
        shop = await info.context.loaders.shop_by_id.load(SHOP_ID)
        assert shop is not None
        today = shop_today(info.context.rt.clock.now(), shop.time_zone)
        dates = upcoming_dates(self.row, skipped, max(start, today))
        return [ScheduledOrder(date=d, skipped=s) for d, s in dates][:size]

    @strawberry.field(description=f"Every change made to this subscription, newest first. {PAGING}")
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> SubscriptionHistoryConnection:
        read = history_page(info.context.rt, subscription_id=self.pk, first=first, after=after)
        return await connection(
            info.context,
            read,
            connection_type=SubscriptionHistoryConnection,
            edge_type=SubscriptionHistoryEdge,
            node=SubscriptionHistoryEntry.from_row,
            path=info.path,
        )


@strawberry.type(description="A subscription in a page.")
class SubscriptionEdge:
    cursor: str = strawberry.field(description="Pass as `after` to page from here.")
    node: Subscription = strawberry.field(description="The subscription.")


@strawberry.type(description="A page of subscriptions, newest first.")
class SubscriptionConnection:
    edges: list[SubscriptionEdge] = strawberry.field(description="The subscriptions on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")


async def _subscription_node(ctx: RequestContext, row: SubscriptionRow) -> Subscription:
    return Subscription.from_row(row)


nodes.register(
    "Subscription",
    model=SubscriptionRow,
    loader=lambda loaders: loaders.subscription_by_id,
    wrap=_subscription_node,
)
