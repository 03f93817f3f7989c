"""The GraphQL enums, built from the domain's `StrEnum`s and nothing else.

Each domain enum is registered with Strawberry once, here, so every surface
shares one GraphQL definition and a field typed with the domain enum is the
GraphQL enum: a value outside the domain cannot be produced or accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

import strawberry

from domain.errors import ErrorCode
from domain.schedule import Interval
from domain.statuses import (
    AddressKind,
    FulfillmentStatus,
    OrderStatus,
    SubscriptionStatus,
    TicketAuthor,
    TicketStatus,
)

E = TypeVar("E", bound=type[StrEnum])


def graph_enum(
    enum: E, *, description: str, name: str | None = None, values: Mapping[str, str] | None = None
) -> E:
    """Register `enum` as a GraphQL enum, with a description per value if given."""
    strawberry.enum(enum, name=name, description=description)
    if values is not None:
        if set(values) != set(enum.__members__):
            raise ValueError(f"describe every value of {enum.__name__}, and nothing else")
        for value in enum.__strawberry_definition__.values:  # type: ignore[attr-defined]
            value.description = values[value.name]
    return enum


graph_enum(ErrorCode, name="UserErrorCode", description="Why a mutation was refused.")
graph_enum(OrderStatus, description="Where an order stands commercially.")
graph_enum(FulfillmentStatus, description="How far the goods of an order have got.")
graph_enum(
    AddressKind,
    description="Which default an address is: where orders ship, or where bills go.",
)
graph_enum(
    TicketStatus,
    description="Where a support ticket stands.",
    values={
        "OPEN": "Waiting for the support team.",
        "PENDING": "Answered by the support team; waiting for the customer.",
        "CLOSED": "Resolved; a new question needs a new ticket.",
    },
)
graph_enum(
    TicketAuthor,
    description="Who wrote a ticket message.",
    values={"CUSTOMER": "The customer.", "AGENT": "The store's support team."},
)

graph_enum(
    SubscriptionStatus,
    description="Whether a subscription places orders.",
    values={
        "ACTIVE": "Orders are placed on schedule.",
        "PAUSED": "No orders until the pause ends or the customer unpauses.",
        "CANCELLED": "No more orders; it can be reactivated.",
        "PAST_DUE": "The renewal's payment failed after every retry: update the payment "
        "method, then order with getNow.",
    },
)
graph_enum(Interval, description="The unit of a subscription's frequency.")

__all__ = [
    "AddressKind",
    "ErrorCode",
    "FulfillmentStatus",
    "Interval",
    "OrderStatus",
    "SubscriptionStatus",
    "TicketAuthor",
    "TicketStatus",
]
