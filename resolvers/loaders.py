"""Per-request dataloaders, created in the context getter (never at module level).

Each loader is named `<thing>_by_<key>`, like the batch function in
`resolvers.batches` it is built from (taking (db, keys), one query per batch).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, fields
from functools import partial
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from models.address import Address, PaymentMethod
from models.catalog import Product, ProductVariant
from models.customer import Customer
from models.database import Database
from models.merchant import CancelReason, DiscountCode, PauseOption, RetentionOffer
from models.order import Cart, CartLine, FulfillmentEvent, Order, OrderDiscount, OrderLineItem
from models.shop import CustomerAccountSettings, Shop
from models.subscription import SkippedCycle, Subscription, SubscriptionLine
from models.ticket import Ticket, TicketMessage
from resolvers import batches
from resolvers import subscription_batches as subs

T = TypeVar("T")
Batch = Callable[[Database, Sequence[Any]], Awaitable[Sequence[Any]]]


def loader(batch: Batch) -> Any:
    """Declare a loader field; `Loaders.__post_init__` binds it to the request's db."""
    return field(init=False, repr=False, metadata={"batch": batch})


@dataclass
class Loaders:
    """One request's loaders, shared by every surface; a new domain appends its own."""

    db: Database
    customer_by_id: DataLoader[int, Customer | None] = loader(batches.customer_by_id)
    shop_by_id: DataLoader[int, Shop | None] = loader(batches.shop_by_id)
    settings_by_shop_id: DataLoader[int, CustomerAccountSettings | None] = loader(
        batches.settings_by_shop_id
    )
    product_by_id: DataLoader[int, Product | None] = loader(batches.product_by_id)
    variant_by_id: DataLoader[int, ProductVariant | None] = loader(batches.variant_by_id)
    variants_by_product_id: DataLoader[int, list[ProductVariant]] = loader(
        batches.variants_by_product_id
    )
    order_by_id: DataLoader[int, Order | None] = loader(batches.order_by_id)
    line_items_by_order_id: DataLoader[int, list[OrderLineItem]] = loader(
        batches.line_items_by_order_id
    )
    discounts_by_order_id: DataLoader[int, list[OrderDiscount]] = loader(
        batches.discounts_by_order_id
    )
    events_by_order_id: DataLoader[int, list[FulfillmentEvent]] = loader(batches.events_by_order_id)
    cart_by_id: DataLoader[int, Cart | None] = loader(batches.cart_by_id)
    cart_lines_by_cart_id: DataLoader[int, list[CartLine]] = loader(batches.cart_lines_by_cart_id)
    payment_method_by_id: DataLoader[int, PaymentMethod | None] = loader(
        batches.payment_method_by_id
    )
    payment_methods_by_customer_id: DataLoader[int, list[PaymentMethod]] = loader(
        batches.payment_methods_by_customer_id
    )
    ticket_by_id: DataLoader[int, Ticket | None] = loader(batches.ticket_by_id)
    ticket_messages_by_ticket_id: DataLoader[int, list[TicketMessage]] = loader(
        batches.ticket_messages_by_ticket_id
    )
    address_by_id: DataLoader[int, Address | None] = loader(batches.address_by_id)
    default_addresses_by_customer_id: DataLoader[int, list[Address]] = loader(
        batches.default_addresses_by_customer_id
    )
    subscription_by_id: DataLoader[int, Subscription | None] = loader(subs.subscription_by_id)
    lines_by_subscription_id: DataLoader[int, list[SubscriptionLine]] = loader(
        subs.lines_by_subscription_id
    )
    skipped_cycles_by_subscription_id: DataLoader[int, list[SkippedCycle]] = loader(
        subs.skipped_cycles_by_subscription_id
    )
    discount_codes_by_subscription_id: DataLoader[int, list[DiscountCode]] = loader(
        subs.discount_codes_by_subscription_id
    )
    pause_options_by_shop_id: DataLoader[int, list[PauseOption]] = loader(
        subs.pause_options_by_shop_id
    )
    cancel_reasons_by_shop_id: DataLoader[int, list[CancelReason]] = loader(
        subs.cancel_reasons_by_shop_id
    )
    retention_offers_by_shop_id: DataLoader[int, list[RetentionOffer]] = loader(
        subs.retention_offers_by_shop_id
    )
    upsell_variants_by_shop_id: DataLoader[int, list[ProductVariant]] = loader(
        subs.upsell_variants_by_shop_id
    )

    # Reads still running; see `run` and `settle`.
    _running: set[asyncio.Future[Any]] = field(init=False, repr=False, default_factory=set)

    def __post_init__(self) -> None:
        for f in fields(self):
            batch = f.metadata.get("batch")
            if batch is not None:
                # The loader holds the database and the running set, not `self`:
                # Loaders -> DataLoader -> Loaders would be a reference cycle,
                # left (with every row it cached) to the garbage collector.
                load = partial(_load, batch, self.db, self._running)
                setattr(self, f.name, DataLoader(load_fn=load))

    async def run(self, work: Awaitable[T]) -> T:
        """Run a read to completion even if the field awaiting it is cancelled.

        When a field fails, GraphQL cancels its siblings and a DataLoader whose
        callers are all gone cancels its batch. A query cancelled mid-flight
        leaves its connection to be torn down in the background, after the
        response. Shielded, the query finishes and returns its connection to
        the pool; `settle` waits for it before the request ends.
        """
        return await _shielded(work, self._running)

    async def settle(self) -> None:
        """Wait for every read this request started (batches and pages), so none outlives it.

        Then empty every loader's cache: its futures and the loader reference
        each other, and emptied, the request's rows are freed as soon as the
        response is, without waiting for a garbage collection.
        """
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        for f in fields(self):
            if "batch" in f.metadata:
                getattr(self, f.name).clear_all()


async def _shielded(work: Awaitable[T], running: set[asyncio.Future[Any]]) -> T:
    task = asyncio.ensure_future(work)
    running.add(task)
    task.add_done_callback(running.discard)
    return await asyncio.shield(task)


async def _load(
    batch: Batch, db: Database, running: set[asyncio.Future[Any]], keys: Sequence[Any]
) -> Sequence[Any]:
    return await _shielded(batch(db, keys), running)
