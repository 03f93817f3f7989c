"""Outbox of events for the merchant side, and idempotency keys for replays."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.topics import Topic
from models.base import EnumText, UTCDateTime, utcnow


class OutboxEvent(SQLModel, table=True):
    """Written in the same transaction as the change it reports; delivered by the worker."""

    __tablename__ = "outbox_event"
    __table_args__ = (
        Index("ix_outbox_event_pending", "delivered_at", "id"),
        # The notifications job's scan: events not yet looked at, oldest first.
        Index("ix_outbox_event_unnotified", "notified_at", "id"),
        # The webhooks job's scan: events not yet planned for the endpoints.
        Index("ix_outbox_event_unplanned", "webhooks_planned_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    topic: Topic = Field(sa_column=Column(EnumText(Topic, 100), nullable=False))
    # The customer the event is about (whoever caused it).
    customer_id: int | None = Field(default=None, index=True)
    # Who caused it, as `domain.actors.Actor.key` ("customer:42", "system:worker").
    actor: str | None = Field(default=None, max_length=80)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    # Set once every webhook endpoint that wanted the event has it (or it was given up);
    # notifications never touch it.
    delivered_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # When the worker wrote one `webhook_delivery` per endpoint that wants the event.
    webhooks_planned_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # Set once the customer's notification went out (or when the topic needs none).
    notified_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # The lease of the worker sending it: its random claim, held until `notify_claimed_until`;
    # a worker that died leaves it to expire, and the next one sends the event.
    notify_claim: str | None = Field(default=None, max_length=32)
    notify_claimed_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # Claims so far: an event whose sending keeps failing is given up after a few.
    notify_attempts: int = Field(default=0)


class UpcomingOrderNotice(SQLModel, table=True):
    """One row per subscription and order date announced: each cycle is announced once."""

    __tablename__ = "upcoming_order_notice"
    __table_args__ = (UniqueConstraint("subscription_id", "order_date"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(
        sa_column=Column(Integer, ForeignKey("subscription.id", ondelete="CASCADE"), nullable=False)
    )
    order_date: date = Field(sa_column=Column(Date, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class IdempotencyKey(SQLModel, table=True):
    """The first result of a side-effecting mutation, replayed for the same key.

    Keys are scoped to their actor: two customers (or a customer and an API
    key) may use the same key without seeing each other's results.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (
        UniqueConstraint("actor", "operation", "key"),
        # For the purge of keys past their replay window.
        Index("ix_idempotency_key_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # `domain.actors.Actor.key` of the caller.
    actor: str = Field(max_length=80)
    operation: str = Field(max_length=60)
    key: str = Field(max_length=200)
    # SHA-256 of what the first call asked for; a reuse with other input is refused.
    request_hash: str | None = Field(default=None, max_length=64)
    # What the first call produced, e.g. {"cart_id": 7}.
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
