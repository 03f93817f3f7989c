"""The cancelOrder mutation and the state checks shared by its test modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from models.events import OutboxEvent
from models.order import Order
from plumbing.runtime import Runtime

CANCEL = """
mutation Cancel($input: CancelOrderInput!) {
  cancelOrder(input: $input) {
    order { id status canCancel }
    userErrors { code field message }
  }
}
"""


async def order_state(rt: Runtime) -> list[tuple[Any, ...]]:
    """Every order's mutable columns, and the outbox, for before/after comparisons."""
    async with rt.db.read() as session:
        orders = await session.execute(
            select(
                Order.id,
                Order.status,
                Order.fulfillment_status,
                Order.cancelled_at,
                Order.cancel_reason,
                Order.version,
            ).order_by(col(Order.id))
        )
        events = await session.execute(select(OutboxEvent.topic, OutboxEvent.payload))
        return [tuple(row) for row in orders.all()] + [tuple(row) for row in events.all()]


async def stored_order(rt: Runtime, order_id: int | None) -> Order:
    async with rt.db.read() as session:
        row = await session.get(Order, order_id)
    assert row is not None
    return row
