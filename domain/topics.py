"""Outbox event topics: what the merchant side and the worker are told happened."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class Topic(StrEnum):
    ORDER_CANCELLED = "order.cancelled"
    # An account the merchant side opened for an email it had not seen (ingestion).
    CUSTOMER_CREATED = "customer.created"
    TICKET_CREATED = "ticket.created"
    TICKET_REPLIED = "ticket.replied"
    TICKET_CLOSED = "ticket.closed"
    SUBSCRIPTION_NEXT_ORDER_DATE_CHANGED = "subscription.next_order_date_changed"
    SUBSCRIPTION_FREQUENCY_CHANGED = "subscription.frequency_changed"
    SUBSCRIPTION_ADDRESS_CHANGED = "subscription.address_changed"
    SUBSCRIPTION_PAYMENT_METHOD_CHANGED = "subscription.payment_method_changed"
    SUBSCRIPTION_LINES_CHANGED = "subscription.lines_changed"
    SUBSCRIPTION_ORDER_PLACED = "subscription.order_placed"
    SUBSCRIPTION_SKIPPED = "subscription.skipped"
    SUBSCRIPTION_UNSKIPPED = "subscription.unskipped"
    SUBSCRIPTION_DISCOUNT_APPLIED = "subscription.discount_applied"
    SUBSCRIPTION_DISCOUNT_REMOVED = "subscription.discount_removed"
    SUBSCRIPTION_PAUSED = "subscription.paused"
    SUBSCRIPTION_UNPAUSED = "subscription.unpaused"
    SUBSCRIPTION_CANCELLED = "subscription.cancelled"
    SUBSCRIPTION_RETAINED = "subscription.retention_offer_accepted"
    SUBSCRIPTION_REACTIVATED = "subscription.reactivated"
    SUBSCRIPTION_PAYMENT_DECLINED = "subscription.payment_declined"
    SUBSCRIPTION_PAST_DUE = "subscription.past_due"
    # Emitted by the merchant side when a subscription is sold; the worker emails a confirmation.
    SUBSCRIPTION_CREATED = "subscription.created"
    # Emitted by the worker N shop-days before an order (services.upcoming_orders).
    SUBSCRIPTION_UPCOMING_ORDER = "subscription.upcoming_order"
