"""When an order may be cancelled: one rule for `Order.canCancel` and `cancelOrder`.

The state part of the rule exists twice in one place: as a check on a loaded
row, and as the SQL condition the cancelling UPDATE re-checks atomically.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_
from sqlmodel import col

from domain.statuses import FulfillmentStatus, OrderStatus
from models.order import Order
from models.shop import CustomerAccountSettings

# An order can be cancelled while it is in these states.
CANCELLABLE_STATUS = OrderStatus.OPEN
CANCELLABLE_FULFILLMENT = FulfillmentStatus.UNFULFILLED


def still_cancellable() -> ColumnElement[bool]:
    """The state part of `can_cancel`, for a conditional UPDATE."""
    return and_(
        col(Order.status) == CANCELLABLE_STATUS,
        col(Order.fulfillment_status) == CANCELLABLE_FULFILLMENT,
    )


def can_cancel(order: Order, settings: CustomerAccountSettings) -> bool:
    """The merchant allows it, and the order is still open with nothing fulfilled."""
    return (
        settings.order_cancellation_enabled
        and order.status is CANCELLABLE_STATUS
        and order.fulfillment_status is CANCELLABLE_FULFILLMENT
    )
