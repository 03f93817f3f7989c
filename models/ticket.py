"""Support tickets and their conversation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from domain.statuses import TicketAuthor, TicketStatus
from models.base import EnumText, UTCDateTime, utcnow


class Ticket(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        # Keyset pagination of a customer's tickets, newest first, optionally by status.
        Index("ix_ticket_customer_created", "customer_id", "created_at", "id"),
        Index("ix_ticket_customer_status_created", "customer_id", "status", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    number: str = Field(max_length=30, unique=True)
    subject: str = Field(max_length=200)
    status: TicketStatus = Field(
        default=TicketStatus.OPEN, sa_column=Column(EnumText(TicketStatus, 20), nullable=False)
    )
    order_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("customer_order.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    subscription_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("subscription.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class TicketMessage(SQLModel, table=True):
    __tablename__ = "ticket_message"
    __table_args__ = (Index("ix_ticket_message_ticket_created", "ticket_id", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(
        sa_column=Column(Integer, ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False)
    )
    author: TicketAuthor = Field(sa_column=Column(EnumText(TicketAuthor, 20), nullable=False))
    body: str = Field(max_length=10_000)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
