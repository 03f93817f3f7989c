"""Dataloader batch functions: one `IN (...)` query per batch, results in key order.

Each is named exactly like the loader it feeds (`<thing>_by_<key>`); the
`Loaders` dataclass binds them to the request.

They read Core rows, not ORM instances: a row only read and turned into a
GraphQL object needs no identity map, change tracking or instance state, which
cost more than the query itself on a page of orders. A Core row of
`select(*Model.__table__.columns)` has exactly the model's column attributes,
converted by the same column types (enums, money, UTC datetimes, JSON), so it
is typed as the model; it is never modified or added to a session.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import or_
from sqlmodel import SQLModel, col

from models.address import Address, PaymentMethod
from models.base import select_rows
from models.catalog import Product, ProductVariant
from models.customer import Customer
from models.database import Database
from models.order import CartLine, FulfillmentEvent, Order, OrderDiscount, OrderLineItem
from models.shop import CustomerAccountSettings, Shop
from models.ticket import Ticket, TicketMessage

M = TypeVar("M", bound=SQLModel)
K = TypeVar("K", bound=Hashable)


async def rows_by_key(
    db: Database, model: type[M], column: Any, keys: Sequence[K]
) -> list[M | None]:
    """One row per key (e.g. by primary key), None where missing, in key order."""
    async with db.read() as session:
        result = await session.execute(select_rows(model).where(column.in_(set(keys))))
        rows = cast(list[M], result.all())
    found = {getattr(row, column.key): row for row in rows}
    return [found.get(key) for key in keys]


async def groups_by_key(
    db: Database, model: type[M], column: Any, keys: Sequence[K], *order_by: Any
) -> list[list[M]]:
    """All rows per key (e.g. the lines of each order), ordered, in key order."""
    async with db.read() as session:
        stmt = select_rows(model).where(column.in_(set(keys)))
        if order_by:
            stmt = stmt.order_by(*order_by)
        rows = cast(list[M], (await session.execute(stmt)).all())
    grouped: dict[Any, list[M]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, column.key)].append(row)
    return [grouped.get(key, []) for key in keys]


# The store


async def customer_by_id(db: Database, ids: Sequence[int]) -> list[Customer | None]:
    return await rows_by_key(db, Customer, col(Customer.id), ids)


async def shop_by_id(db: Database, ids: Sequence[int]) -> list[Shop | None]:
    return await rows_by_key(db, Shop, col(Shop.id), ids)


async def settings_by_shop_id(
    db: Database, ids: Sequence[int]
) -> list[CustomerAccountSettings | None]:
    return await rows_by_key(db, CustomerAccountSettings, col(CustomerAccountSettings.shop_id), ids)


# The catalogue


async def product_by_id(db: Database, ids: Sequence[int]) -> list[Product | None]:
    return await rows_by_key(db, Product, col(Product.id), ids)


async def variant_by_id(db: Database, ids: Sequence[int]) -> list[ProductVariant | None]:
    return await rows_by_key(db, ProductVariant, col(ProductVariant.id), ids)


async def variants_by_product_id(db: Database, ids: Sequence[int]) -> list[list[ProductVariant]]:
    return await groups_by_key(
        db,
        ProductVariant,
        col(ProductVariant.product_id),
        ids,
        col(ProductVariant.position),
        col(ProductVariant.id),
    )


# Orders and carts


async def order_by_id(db: Database, ids: Sequence[int]) -> list[Order | None]:
    return await rows_by_key(db, Order, col(Order.id), ids)


async def line_items_by_order_id(db: Database, ids: Sequence[int]) -> list[list[OrderLineItem]]:
    return await groups_by_key(
        db,
        OrderLineItem,
        col(OrderLineItem.order_id),
        ids,
        col(OrderLineItem.position),
        col(OrderLineItem.id),
    )


async def discounts_by_order_id(db: Database, ids: Sequence[int]) -> list[list[OrderDiscount]]:
    return await groups_by_key(
        db, OrderDiscount, col(OrderDiscount.order_id), ids, col(OrderDiscount.id)
    )


async def events_by_order_id(db: Database, ids: Sequence[int]) -> list[list[FulfillmentEvent]]:
    return await groups_by_key(
        db,
        FulfillmentEvent,
        col(FulfillmentEvent.order_id),
        ids,
        col(FulfillmentEvent.happened_at),
        col(FulfillmentEvent.id),
    )


async def cart_lines_by_cart_id(db: Database, ids: Sequence[int]) -> list[list[CartLine]]:
    return await groups_by_key(db, CartLine, col(CartLine.cart_id), ids, col(CartLine.id))


# The address book and the wallet


async def address_by_id(db: Database, ids: Sequence[int]) -> list[Address | None]:
    return await rows_by_key(db, Address, col(Address.id), ids)


async def default_addresses_by_customer_id(
    db: Database, customer_ids: Sequence[int]
) -> list[list[Address]]:
    """Each customer's default shipping and billing rows (zero to two, maybe one row)."""
    async with db.read() as session:
        result = await session.execute(
            select_rows(Address).where(
                col(Address.customer_id).in_(set(customer_ids)),
                or_(
                    col(Address.is_default_shipping).is_(True),
                    col(Address.is_default_billing).is_(True),
                ),
            )
        )
        rows = cast(list[Address], result.all())
        grouped: dict[int, list[Address]] = defaultdict(list)
        for row in rows:
            grouped[row.customer_id].append(row)
    return [grouped.get(key, []) for key in customer_ids]


async def payment_method_by_id(db: Database, ids: Sequence[int]) -> list[PaymentMethod | None]:
    return await rows_by_key(db, PaymentMethod, col(PaymentMethod.id), ids)


async def payment_methods_by_customer_id(
    db: Database, customer_ids: Sequence[int]
) -> list[list[PaymentMethod]]:
    """The default card first, then newest first."""
    return await groups_by_key(
        db,
        PaymentMethod,
        col(PaymentMethod.customer_id),
        customer_ids,
        col(PaymentMethod.is_default).desc(),
        col(PaymentMethod.created_at).desc(),
        col(PaymentMethod.id).desc(),
    )


# Support


async def ticket_by_id(db: Database, ids: Sequence[int]) -> list[Ticket | None]:
    return await rows_by_key(db, Ticket, col(Ticket.id), ids)


async def ticket_messages_by_ticket_id(
    db: Database, ticket_ids: Sequence[int]
) -> list[list[TicketMessage]]:
    return await groups_by_key(
        db,
        TicketMessage,
        col(TicketMessage.ticket_id),
        ticket_ids,
        col(TicketMessage.created_at),
        col(TicketMessage.id),
    )
