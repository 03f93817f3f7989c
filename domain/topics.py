"""Outbox event topics: what the merchant side and the worker are told happened."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class Topic(StrEnum):
    ORDER_CANCELLED = "order.cancelled"
    TICKET_CREATED = "ticket.created"
    TICKET_REPLIED = "ticket.replied"
    TICKET_CLOSED = "ticket.closed"
