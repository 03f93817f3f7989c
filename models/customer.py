"""Customers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, utcnow


class Customer(SQLModel, table=True):
    __tablename__ = "customer"

    id: int | None = Field(default=None, primary_key=True)
    # Always stored lower-cased, so the unique index is case-insensitive.
    email: str = Field(max_length=320, unique=True)
    # E.164; unique so a phone number logs in to exactly one account.
    phone: str | None = Field(default=None, max_length=20, unique=True)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    language: str = Field(default="en", max_length=35)
    marketing_email: bool = False
    marketing_email_updated_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    marketing_email_source: str | None = Field(default=None, max_length=40)
    marketing_sms: bool = False
    marketing_sms_updated_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    marketing_sms_source: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
