"""Where things stand: the closed sets of states stored in the database.

Each is a `StrEnum`, stored as its value in a text column through
`models.base.EnumText`, which refuses any other value on the way in and hands
back members on the way out.
"""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class OrderStatus(StrEnum):
    """Where an order stands commercially."""

    OPEN = "OPEN"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"


@unique
class FulfillmentStatus(StrEnum):
    """How far the goods of an order have got."""

    UNFULFILLED = "UNFULFILLED"
    PARTIALLY_FULFILLED = "PARTIALLY_FULFILLED"
    FULFILLED = "FULFILLED"
    IN_TRANSIT = "IN_TRANSIT"
    DELIVERED = "DELIVERED"
    RETURNED = "RETURNED"
    # The last step of a cancelled order's timeline, made from the order's
    # `cancelled_at` and `cancel_reason`; no goods move, so an order's own
    # `fulfillment_status` never takes it.
    CANCELLED = "CANCELLED"


@unique
class TicketStatus(StrEnum):
    """Where a support ticket stands."""

    OPEN = "OPEN"
    PENDING = "PENDING"
    CLOSED = "CLOSED"


# A ticket in one of these still needs someone's attention.
UNRESOLVED_TICKET_STATUSES = (TicketStatus.OPEN, TicketStatus.PENDING)


@unique
class TicketAuthor(StrEnum):
    """Who wrote a ticket message."""

    CUSTOMER = "CUSTOMER"
    AGENT = "AGENT"


@unique
class AddressKind(StrEnum):
    """Which default an address is: where orders ship, or where bills go."""

    SHIPPING = "SHIPPING"
    BILLING = "BILLING"


@unique
class ChallengePurpose(StrEnum):
    """What a one-time code proves when it is entered."""

    LOGIN = "login"
    EMAIL_CHANGE = "email_change"


@unique
class SubscriptionStatus(StrEnum):
    """Whether a subscription places orders: running, on hold, stopped, or its renewal
    unpaid after every retry (the customer updates the card and orders with getNow)."""

    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    CANCELLED = "CANCELLED"
    PAST_DUE = "PAST_DUE"


@unique
class RenewalStatus(StrEnum):
    """Where one charge attempt of a renewal stands."""

    # Claimed; the gateway may or may not have taken the money yet.
    CHARGING = "charging"
    SUCCEEDED = "succeeded"
    DECLINED = "declined"


@unique
class DiscountKind(StrEnum):
    """How a discount code takes money off: a share of the subtotal or a fixed sum."""

    PERCENTAGE = "PERCENTAGE"
    FIXED_AMOUNT = "FIXED_AMOUNT"


@unique
class WebhookDeliveryStatus(StrEnum):
    """One event's delivery to one endpoint: waiting (or retrying), done, or given up."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
