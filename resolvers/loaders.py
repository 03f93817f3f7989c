"""Per-request dataloaders, created in the context getter (never at module level).

Each field names its loader `<thing>_by_<key>` and is built from a batch
function taking (db, keys) and running one query per batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, fields
from functools import partial
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from models import address as address_models
from models import catalog as catalog_models
from models import order as order_models
from models import ticket as ticket_models
from models.customer import Customer
from models.database import Database
from models.shop import CustomerAccountSettings, Shop
from resolvers import address as address_batch
from resolvers import catalog as catalog_batch
from resolvers import order as order_batch
from resolvers import payment as payment_batch
from resolvers import ticket as ticket_batch
from resolvers.batch import rows_by_key

T = TypeVar("T")
Batch = Callable[[Database, Sequence[Any]], Awaitable[Sequence[Any]]]


def loader(batch: Batch) -> Any:
    """Declare a loader field; `Loaders.__post_init__` binds it to the request's db."""
    return field(init=False, repr=False, metadata={"batch": batch})


async def _customers(db: Database, ids: Sequence[int]) -> list[Customer | None]:
    return await rows_by_key(db, Customer, Customer.id, ids)


async def _shops(db: Database, ids: Sequence[int]) -> list[Shop | None]:
    return await rows_by_key(db, Shop, Shop.id, ids)


async def _settings(db: Database, ids: Sequence[int]) -> list[CustomerAccountSettings | None]:
    return await rows_by_key(db, CustomerAccountSettings, CustomerAccountSettings.shop_id, ids)


@dataclass
class Loaders:
    db: Database
    customer_by_id: DataLoader[int, Customer | None] = loader(_customers)
    shop_by_id: DataLoader[int, Shop | None] = loader(_shops)
    settings_by_shop_id: DataLoader[int, CustomerAccountSettings | None] = loader(_settings)
    # Domain loaders are appended below this line, one per edge.
    product_by_id: DataLoader[int, catalog_models.Product | None] = loader(
        catalog_batch.products_by_id
    )
    variant_by_id: DataLoader[int, catalog_models.ProductVariant | None] = loader(
        catalog_batch.variants_by_id
    )
    variants_by_product_id: DataLoader[int, list[catalog_models.ProductVariant]] = loader(
        catalog_batch.variants_by_product_id
    )
    order_by_id: DataLoader[int, order_models.Order | None] = loader(order_batch.orders_by_id)
    line_items_by_order_id: DataLoader[int, list[order_models.OrderLineItem]] = loader(
        order_batch.line_items_by_order_id
    )
    discounts_by_order_id: DataLoader[int, list[order_models.OrderDiscount]] = loader(
        order_batch.discounts_by_order_id
    )
    events_by_order_id: DataLoader[int, list[order_models.FulfillmentEvent]] = loader(
        order_batch.events_by_order_id
    )
    cart_lines_by_cart_id: DataLoader[int, list[order_models.CartLine]] = loader(
        order_batch.cart_lines_by_cart_id
    )
    payment_method_by_id: DataLoader[int, address_models.PaymentMethod | None] = loader(
        payment_batch.batch_payment_methods
    )
    payment_methods_by_customer_id: DataLoader[int, list[address_models.PaymentMethod]] = loader(
        payment_batch.batch_customer_payment_methods
    )
    ticket_by_id: DataLoader[int, ticket_models.Ticket | None] = loader(ticket_batch.batch_tickets)
    ticket_messages_by_ticket_id: DataLoader[int, list[ticket_models.TicketMessage]] = loader(
        ticket_batch.batch_ticket_messages
    )
    address_by_id: DataLoader[int, address_models.Address | None] = loader(
        address_batch.addresses_by_id
    )
    default_addresses_by_customer_id: DataLoader[int, list[address_models.Address]] = loader(
        address_batch.default_addresses_by_customer_id
    )

    # Reads still running; see `run` and `settle`.
    _running: set[asyncio.Future[Any]] = field(init=False, repr=False, default_factory=set)

    def __post_init__(self) -> None:
        for f in fields(self):
            batch = f.metadata.get("batch")
            if batch is not None:
                setattr(self, f.name, DataLoader(load_fn=partial(self._run, batch)))

    async def _run(self, batch: Batch, keys: Sequence[Any]) -> Sequence[Any]:
        return await self.run(batch(self.db, keys))

    async def run(self, work: Awaitable[T]) -> T:
        """Run a read to completion even if the field awaiting it is cancelled.

        When a field fails, GraphQL cancels its siblings and a DataLoader whose
        callers are all gone cancels its batch. A query cancelled mid-flight
        leaves its connection to be torn down in the background, after the
        response. Shielded, the query finishes and returns its connection to
        the pool; `settle` waits for it before the request ends.
        """
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return await asyncio.shield(task)

    async def settle(self) -> None:
        """Wait for every read this request started (batches and pages), so none outlives it."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
