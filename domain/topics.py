"""Outbox event topics: what the merchant side and the worker are told happened.

`DESCRIPTIONS` is the registry the merchant side lists when an endpoint chooses its
topics; a test keeps it complete.
"""

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
    # The customer changed their profile, email address or marketing consent.
    CUSTOMER_UPDATED = "customer.updated"
    # The worker turned off a webhook endpoint that kept failing (services.webhook_delivery).
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint.disabled"


DESCRIPTIONS: dict[Topic, str] = {
    Topic.CUSTOMER_CREATED: "An account was opened for a new email (an order or checkout "
    "ingested by the store).",
    Topic.ORDER_CANCELLED: "An order was cancelled, by the customer or the store.",
    Topic.TICKET_CREATED: "The customer opened a support ticket.",
    Topic.TICKET_REPLIED: "A message was added to a support ticket.",
    Topic.TICKET_CLOSED: "A support ticket was closed.",
    Topic.SUBSCRIPTION_NEXT_ORDER_DATE_CHANGED: "A subscription's next order date moved.",
    Topic.SUBSCRIPTION_FREQUENCY_CHANGED: "A subscription's delivery frequency changed.",
    Topic.SUBSCRIPTION_ADDRESS_CHANGED: "A subscription's shipping address changed.",
    Topic.SUBSCRIPTION_PAYMENT_METHOD_CHANGED: "A subscription's payment method changed.",
    Topic.SUBSCRIPTION_LINES_CHANGED: "Products were added to, removed from or changed in "
    "a subscription.",
    Topic.SUBSCRIPTION_ORDER_PLACED: "A subscription order was placed (renewal or order now).",
    Topic.SUBSCRIPTION_SKIPPED: "An order of a subscription was skipped.",
    Topic.SUBSCRIPTION_UNSKIPPED: "A skipped order of a subscription was restored.",
    Topic.SUBSCRIPTION_DISCOUNT_APPLIED: "A discount code was applied to a subscription.",
    Topic.SUBSCRIPTION_DISCOUNT_REMOVED: "A discount code was removed from a subscription.",
    Topic.SUBSCRIPTION_PAUSED: "A subscription was paused.",
    Topic.SUBSCRIPTION_UNPAUSED: "A paused subscription was resumed.",
    Topic.SUBSCRIPTION_CANCELLED: "A subscription was cancelled.",
    Topic.SUBSCRIPTION_RETAINED: "The customer accepted a retention offer instead of cancelling.",
    Topic.SUBSCRIPTION_REACTIVATED: "A cancelled subscription was reactivated.",
    Topic.SUBSCRIPTION_PAYMENT_DECLINED: "A renewal payment was declined; a retry is scheduled.",
    Topic.SUBSCRIPTION_PAST_DUE: "A renewal payment failed on every retry.",
    Topic.SUBSCRIPTION_CREATED: "A subscription was sold.",
    Topic.SUBSCRIPTION_UPCOMING_ORDER: "A subscription order is coming up in a few days.",
    Topic.CUSTOMER_UPDATED: "The customer changed their profile, email address or marketing "
    "consent.",
    Topic.WEBHOOK_ENDPOINT_DISABLED: "A webhook endpoint was disabled after failing for too long.",
}
