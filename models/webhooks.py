"""Webhook endpoints of the merchant side, each event's delivery to each, and every attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.statuses import WebhookDeliveryStatus
from models.base import EnumText, UTCDateTime, utcnow


class WebhookEndpoint(SQLModel, table=True):
    """A URL the merchant registered; events of its topics are POSTed there, signed."""

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    # Topic values it wants; None means every topic, including ones added later.
    topics: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # Standard Webhooks `whsec_<base64>`. Kept readable: every delivery is signed with it.
    secret: str = Field(max_length=100)
    enabled: bool = Field(default=True)
    description: str = Field(default="", max_length=500)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    # Since the first failure with no success after it; cleared by a success.
    failing_since: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    disabled_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: planned when the worker reads the event, retried
    until delivered or given up. Its id is the `webhook-id` receivers deduplicate on."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        # The claim's scan: pending deliveries, earliest due first.
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        # The order rule: a customer's earlier deliveries to the same endpoint.
        Index("ix_webhook_delivery_order", "endpoint_id", "customer_id", "event_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("outbox_event.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    endpoint_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), nullable=False
        )
    )
    # The event's customer, copied so the order rule reads one table.
    customer_id: int | None = Field(default=None)
    status: WebhookDeliveryStatus = Field(
        default=WebhookDeliveryStatus.PENDING,
        sa_column=Column(EnumText(WebhookDeliveryStatus, 20), nullable=False),
    )
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # The lease of the worker sending it, as for notifications.
    claim: str | None = Field(default=None, max_length=32)
    claimed_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    finished_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class WebhookAttempt(SQLModel, table=True):
    """The delivery log: one row per POST (or per try that could not be made)."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (Index("ix_webhook_attempt_endpoint", "endpoint_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("webhook_delivery.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    endpoint_id: int
    event_id: int
    attempt: int
    # None when no answer came (timeout, refused connection).
    status_code: int | None = Field(default=None)
    duration_ms: int
    error: str | None = Field(default=None, max_length=500)
    response_excerpt: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
