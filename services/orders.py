"""Reading a customer's orders: the history list and single orders they own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from models.base import select_rows
from models.order import Order
from plumbing.pagination import Page, SortKey, keyset_page
from plumbing.runtime import Runtime


def order_not_found(field: str = "orderId") -> ServiceError:
    """The one answer for a missing, malformed or someone else's order: no existence leak."""
    return ServiceError(ErrorCode.NOT_FOUND, _("Order not found."), [field])


async def owned_order(session: AsyncSession, *, customer_id: int, order_id: int | None) -> Order:
    """The customer's order, or the NOT_FOUND refusal."""
    if order_id is None:
        raise order_not_found()
    order = await session.scalar(
        select(Order).where(col(Order.id) == order_id, col(Order.customer_id) == customer_id)
    )
    if order is None:
        raise order_not_found()
    return order


async def list_orders(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Page[Order]:
    """Newest first, seeking on the (customer_id, placed_at, id) index; only those one
    subscription placed when `subscription_id` is given."""
    stmt = select_rows(Order).where(col(Order.customer_id) == customer_id)
    if subscription_id is not None:
        stmt = stmt.where(col(Order.subscription_id) == subscription_id)
    async with rt.db.read() as session:
        return await keyset_page(
            session,
            stmt,
            keys=[
                SortKey(col(Order.placed_at), descending=True),
                SortKey(col(Order.id), descending=True),
            ],
            row_key=lambda row: (row.placed_at, row.id),
            first=first,
            after=after,
            last=last,
            before=before,
        )
