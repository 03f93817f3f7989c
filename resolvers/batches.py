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

from sqlalchemy import Select, bindparam, or_
from sqlmodel import SQLModel, col

from models.address import Address, PaymentMethod
from models.base import select_rows
from models.catalog import Product, ProductVariant
from models.customer import Customer
from models.database import Database
from models.order import (
    Cart,
    CartLine,
    FulfillmentEvent,
    Order,
    OrderDiscount,
    OrderLineItem,
)
from models.shop import CustomerAccountSettings, Shop
from models.ticket import Ticket, TicketMessage

M = TypeVar("M", bound=SQLModel)
K = TypeVar("K", bound=Hashable)


def by_keys(column: Any, *order_by: Any) -> Select[Any]:
    """Every column of `column`'s table for the rows whose `column` is in `:keys`.

    Built once per batch function: a statement object reused across requests
    keeps its compiled form and cache key, so a batch costs its round trip and
    little else.
    """
    stmt = select_rows(column.class_).where(column.in_(bindparam("keys", expanding=True)))
    return stmt.order_by(*order_by) if order_by else stmt


async def rows_by_key(
    db: Database, stmt: Select[Any], key: str, keys: Sequence[K], model: type[M]
) -> list[M | None]:
    """One row per key (e.g. by primary key), None where missing, in key order."""
    rows = cast(Sequence[M], await db.rows(stmt, {"keys": list(set(keys))}))
    found = {getattr(row, key): row for row in rows}
    return [found.get(k) for k in keys]


async def groups_by_key(
    db: Database, stmt: Select[Any], key: str, keys: Sequence[K], model: type[M]
) -> list[list[M]]:
    """All rows per key (e.g. the lines of each order), in the statement's order, in key order."""
    rows = cast(Sequence[M], await db.rows(stmt, {"keys": list(set(keys))}))
    grouped: dict[Any, list[M]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return [grouped.get(k, []) for k in keys]


# The store

_CUSTOMERS = by_keys(col(Customer.id))
_SHOPS = by_keys(col(Shop.id))
_SETTINGS = by_keys(col(CustomerAccountSettings.shop_id))


async def customer_by_id(db: Database, ids: Sequence[int]) -> list[Customer | None]:
    return await rows_by_key(db, _CUSTOMERS, "id", ids, Customer)


async def shop_by_id(db: Database, ids: Sequence[int]) -> list[Shop | None]:
    return await rows_by_key(db, _SHOPS, "id", ids, Shop)


async def settings_by_shop_id(
    db: Database, ids: Sequence[int]
) -> list[CustomerAccountSettings | None]:
    return await rows_by_key(db, _SETTINGS, "shop_id", ids, CustomerAccountSettings)


# The catalogue

_PRODUCTS = by_keys(col(Product.id))
_VARIANTS = by_keys(col(ProductVariant.id))
_VARIANTS_OF_PRODUCTS = by_keys(
    col(ProductVariant.product_id), col(ProductVariant.position), col(ProductVariant.id)
)


async def product_by_id(db: Database, ids: Sequence[int]) -> list[Product | None]:
    return await rows_by_key(db, _PRODUCTS, "id", ids, Product)


async def variant_by_id(db: Database, ids: Sequence[int]) -> list[ProductVariant | None]:
    return await rows_by_key(db, _VARIANTS, "id", ids, ProductVariant)


async def variants_by_product_id(db: Database, ids: Sequence[int]) -> list[list[ProductVariant]]:
    return await groups_by_key(db, _VARIANTS_OF_PRODUCTS, "product_id", ids, ProductVariant)


# Orders and carts

_ORDERS = by_keys(col(Order.id))
_LINE_ITEMS = by_keys(
    col(OrderLineItem.order_id), col(OrderLineItem.position), col(OrderLineItem.id)
)
_DISCOUNTS = by_keys(col(OrderDiscount.order_id), col(OrderDiscount.id))
_EVENTS = by_keys(
    col(FulfillmentEvent.order_id), col(FulfillmentEvent.happened_at), col(FulfillmentEvent.id)
)
_CARTS = by_keys(col(Cart.id))
_CART_LINES = by_keys(col(CartLine.cart_id), col(CartLine.id))


async def order_by_id(db: Database, ids: Sequence[int]) -> list[Order | None]:
    return await rows_by_key(db, _ORDERS, "id", ids, Order)


async def line_items_by_order_id(db: Database, ids: Sequence[int]) -> list[list[OrderLineItem]]:
    return await groups_by_key(db, _LINE_ITEMS, "order_id", ids, OrderLineItem)


async def discounts_by_order_id(db: Database, ids: Sequence[int]) -> list[list[OrderDiscount]]:
    return await groups_by_key(db, _DISCOUNTS, "order_id", ids, OrderDiscount)


async def events_by_order_id(db: Database, ids: Sequence[int]) -> list[list[FulfillmentEvent]]:
    return await groups_by_key(db, _EVENTS, "order_id", ids, FulfillmentEvent)


async def cart_by_id(db: Database, ids: Sequence[int]) -> list[Cart | None]:
    return await rows_by_key(db, _CARTS, "id", ids, Cart)


async def cart_lines_by_cart_id(db: Database, ids: Sequence[int]) -> list[list[CartLine]]:
    return await groups_by_key(db, _CART_LINES, "cart_id", ids, CartLine)


# The address book and the wallet

_ADDRESSES = by_keys(col(Address.id))
_DEFAULT_ADDRESSES = by_keys(col(Address.customer_id)).where(
    or_(col(Address.is_default_shipping).is_(True), col(Address.is_default_billing).is_(True))
)
_PAYMENT_METHODS = by_keys(col(PaymentMethod.id))
_WALLETS = by_keys(
    col(PaymentMethod.customer_id),
    col(PaymentMethod.is_default).desc(),
    col(PaymentMethod.created_at).desc(),
    col(PaymentMethod.id).desc(),
)


async def address_by_id(db: Database, ids: Sequence[int]) -> list[Address | None]:
    return await rows_by_key(db, _ADDRESSES, "id", ids, Address)


async def default_addresses_by_customer_id(
    db: Database, customer_ids: Sequence[int]
) -> list[list[Address]]:
    """Each customer's default shipping and billing rows (zero to two, maybe one row)."""
    return await groups_by_key(db, _DEFAULT_ADDRESSES, "customer_id", customer_ids, Address)


async def payment_method_by_id(db: Database, ids: Sequence[int]) -> list[PaymentMethod | None]:
    return await rows_by_key(db, _PAYMENT_METHODS, "id", ids, PaymentMethod)


async def payment_methods_by_customer_id(
    db: Database, customer_ids: Sequence[int]
) -> list[list[PaymentMethod]]:
    """The default card first, then newest first."""
    return await groups_by_key(db, _WALLETS, "customer_id", customer_ids, PaymentMethod)


# Support

_TICKETS = by_keys(col(Ticket.id))
_MESSAGES = by_keys(
    col(TicketMessage.ticket_id), col(TicketMessage.created_at), col(TicketMessage.id)
)


async def ticket_by_id(db: Database, ids: Sequence[int]) -> list[Ticket | None]:
    return await rows_by_key(db, _TICKETS, "id", ids, Ticket)


async def ticket_messages_by_ticket_id(
    db: Database, ticket_ids: Sequence[int]
) -> list[list[TicketMessage]]:
    return await groups_by_key(db, _MESSAGES, "ticket_id", ticket_ids, TicketMessage)
