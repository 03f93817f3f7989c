"""When an order may be cancelled: one rule for `Order.canCancel` and `cancelOrder`."""

from __future__ import annotations

from models.order import Order
from models.shop import CustomerAccountSettings


def can_cancel(order: Order, settings: CustomerAccountSettings) -> bool:
    """The merchant allows it, and the order is still open with nothing fulfilled."""
    return (
        settings.order_cancellation_enabled
        and order.status == "OPEN"
        and order.fulfillment_status == "UNFULFILLED"
    )
