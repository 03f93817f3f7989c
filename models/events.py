"""Outbox of events for the merchant side, and idempotency keys for replays."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, utcnow


class OutboxEvent(SQLModel, table=True):
    """Written in the same transaction as the change it reports; delivered by the worker."""

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_pending", "delivered_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    # e.g. "order.cancelled", "ticket.created"
    topic: str = Field(max_length=100)
    customer_id: int | None = Field(default=None, index=True)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    delivered_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class IdempotencyKey(SQLModel, table=True):
    """The first result of a side-effecting mutation, replayed for the same key."""

    __tablename__ = "idempotency_key"
    __table_args__ = (
        UniqueConstraint("customer_id", "operation", "key"),
        # For the purge of keys past their replay window.
        Index("ix_idempotency_key_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    operation: str = Field(max_length=60)
    key: str = Field(max_length=200)
    # SHA-256 of what the first call asked for; a reuse with other input is refused.
    request_hash: str | None = Field(default=None, max_length=64)
    # What the first call produced, e.g. {"cart_id": 7}.
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
