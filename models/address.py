"""Customer address book and stored payment methods."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, text
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, utcnow

# The mailing-address fields, shared by the address book and every snapshot of one.
ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "line1",
    "line2",
    "city",
    "province",
    "postal_code",
    "country_code",
    "phone",
)


def _customer_fk() -> Any:
    return Column(
        Integer, ForeignKey("customer.id", ondelete="CASCADE"), nullable=False, index=True
    )


class Address(SQLModel, table=True):
    __tablename__ = "address"
    __table_args__ = (
        # At most one default of each kind per customer, enforced by the database.
        Index(
            "uq_address_default_shipping",
            "customer_id",
            unique=True,
            sqlite_where=text("is_default_shipping"),
            postgresql_where=text("is_default_shipping"),
        ),
        Index(
            "uq_address_default_billing",
            "customer_id",
            unique=True,
            sqlite_where=text("is_default_billing"),
            postgresql_where=text("is_default_billing"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=_customer_fk())
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    company: str | None = Field(default=None, max_length=200)
    line1: str = Field(max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(max_length=100)
    province: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country_code: str = Field(max_length=2)
    phone: str | None = Field(default=None, max_length=20)
    is_default_shipping: bool = False
    is_default_billing: bool = False
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class PaymentMethod(SQLModel, table=True):
    """A card vaulted at the gateway: a token and display details, never a card number."""

    __tablename__ = "payment_method"
    __table_args__ = (
        Index(
            "uq_payment_method_default",
            "customer_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=_customer_fk())
    gateway: str = Field(default="test", max_length=40)
    # The gateway's reference for the vaulted card.
    gateway_reference: str = Field(max_length=200, unique=True)
    brand: str = Field(max_length=40)
    last4: str = Field(max_length=4)
    expiry_month: int
    expiry_year: int
    # Snapshot of ADDRESS_FIELDS, or null.
    billing_address: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    is_default: bool = False
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
