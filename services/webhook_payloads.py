"""What a webhook carries: its body, its stable id, and when a failed one is tried again."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import orjson

from config import Settings
from domain.ids import global_id

# Payload keys holding primary keys the customer API exposes as nodes, and their types.
NODE_KEYS = {
    "customer_id": "Customer",
    "order_id": "Order",
    "subscription_id": "Subscription",
    "ticket_id": "Ticket",
    "payment_method_id": "PaymentMethod",
    "address_id": "Address",
    "line_id": "SubscriptionLine",
    "consumed_line_ids": "SubscriptionLine",
    "variant_id": "ProductVariant",
    "offer_id": "RetentionOffer",
    "cart_id": "Cart",
}


def _public(key: str, value: Any) -> Any:
    type_name = NODE_KEYS.get(key)
    if type_name is None or value is None:
        return value
    if isinstance(value, list):
        return [global_id(type_name, pk) for pk in value]
    return global_id(type_name, value)


def webhook_id(event_id: int, endpoint_id: int) -> str:
    """The same for every attempt (and redelivery) of one event to one endpoint."""
    return f"msg_{event_id}_{endpoint_id}"


def webhook_body(
    topic: str, created_at: datetime, customer_id: int | None, payload: dict[str, Any]
) -> bytes:
    """`{"type", "timestamp", "data"}`, ids as the customer API's global IDs."""
    data = {key: _public(key, value) for key, value in payload.items()}
    if customer_id is not None:
        data.setdefault("customer_id", global_id("Customer", customer_id))
    body = {
        "type": topic,
        "timestamp": created_at.isoformat().replace("+00:00", "Z"),
        "data": data,
    }
    return orjson.dumps(body)


def retry_delay(settings: Settings, attempts: int) -> timedelta:
    """After the `attempts`-th failure: doubling from WEBHOOK_RETRY_BASE up to
    WEBHOOK_RETRY_MAX, the upper half jittered so endpoints failing together (an outage
    at the receiver) are not all retried in the same second."""
    ceiling = min(settings.webhook_retry_base * 2 ** (attempts - 1), settings.webhook_retry_max)
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311
