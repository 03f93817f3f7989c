"""Lookups the merchant side makes by the keys it knows: an email, its own order id."""

from __future__ import annotations

from typing import Any

from sqlmodel import col

from domain.errors import ServiceError
from domain.validation import normalize_email
from models.base import select_rows
from models.catalog import Product
from models.customer import Customer
from models.order import Order
from plumbing.runtime import Runtime


async def customer_by_email(rt: Runtime, email: str) -> Any | None:
    """The customer's row, the address normalised as login does; None when unknown."""
    try:
        normalized = normalize_email(email)
    except ServiceError:
        return None
    async with rt.db.read() as session:
        stmt = select_rows(Customer).where(col(Customer.email) == normalized)
        return (await session.execute(stmt)).first()


async def order_by_store_id(rt: Runtime, store_order_id: str) -> Any | None:
    async with rt.db.read() as session:
        stmt = select_rows(Order).where(col(Order.store_order_id) == store_order_id.strip())
        return (await session.execute(stmt)).first()


async def products_by_store_id(rt: Runtime, store_product_ids: list[str]) -> list[Any]:
    """The products with these store ids, in the order asked; unknown ids are left out."""
    async with rt.db.read() as session:
        stmt = select_rows(Product).where(col(Product.store_product_id).in_(store_product_ids))
        rows = {row.store_product_id: row for row in (await session.execute(stmt)).all()}
    return [rows[key] for key in store_product_ids if key in rows]
