"""Orders, with everything snapshotted at purchase, their timeline, and carts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from domain.statuses import FulfillmentStatus, OrderStatus
from models.base import EnumText, MoneyAmount, UTCDateTime, utcnow


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Any:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


def _money(nullable: bool = False) -> Any:
    return Column(MoneyAmount(), nullable=nullable)


class Order(SQLModel, table=True):
    __tablename__ = "customer_order"
    __table_args__ = (
        # Keyset pagination of a customer's orders, newest first.
        Index("ix_customer_order_customer_placed", "customer_id", "placed_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    number: str = Field(max_length=30, unique=True)
    placed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    status: OrderStatus = Field(
        default=OrderStatus.OPEN, sa_column=Column(EnumText(OrderStatus, 20), nullable=False)
    )
    fulfillment_status: FulfillmentStatus = Field(
        default=FulfillmentStatus.UNFULFILLED,
        sa_column=Column(EnumText(FulfillmentStatus, 30), nullable=False),
    )
    currency_code: str = Field(default="USD", max_length=3)
    subtotal: Decimal = Field(sa_column=_money())
    shipping_total: Decimal = Field(sa_column=_money())
    tax_total: Decimal = Field(sa_column=_money())
    total: Decimal = Field(sa_column=_money())
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=20)
    payment_brand: str | None = Field(default=None, max_length=40)
    payment_last4: str | None = Field(default=None, max_length=4)
    # Snapshots of ADDRESS_FIELDS as they were at purchase.
    shipping_address: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    billing_address: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    shipping_method_title: str | None = Field(default=None, max_length=200)
    shipping_method_price: Decimal | None = Field(default=None, sa_column=_money(nullable=True))
    invoice_number: str = Field(max_length=30, unique=True)
    cancelled_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    cancel_reason: str | None = Field(default=None, max_length=500)
    # The subscription that placed this order, if one did.
    subscription_id: int | None = Field(
        default=None, sa_column=_fk("subscription.id", nullable=True, ondelete="SET NULL")
    )
    # The store's own id of an order it sent us (ingestion), and a digest of
    # what it sent, so a replay is recognised and a changed replay refused.
    store_order_id: str | None = Field(default=None, max_length=100, unique=True)
    ingest_digest: str | None = Field(default=None, max_length=64)
    # Bumped by every change; writers update `WHERE version = :seen`.
    version: int = 1


class OrderLineItem(SQLModel, table=True):
    __tablename__ = "order_line_item"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(sa_column=_fk("customer_order.id"))
    variant_id: int | None = Field(
        default=None, sa_column=_fk("product_variant.id", nullable=True, ondelete="SET NULL")
    )
    title: str = Field(max_length=200)
    variant_title: str | None = Field(default=None, max_length=200)
    sku: str | None = Field(default=None, max_length=100)
    quantity: int
    unit_price: Decimal = Field(sa_column=_money())
    total_price: Decimal = Field(sa_column=_money())
    position: int = 0


class OrderDiscount(SQLModel, table=True):
    __tablename__ = "order_discount"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(sa_column=_fk("customer_order.id"))
    code: str | None = Field(default=None, max_length=100)
    title: str = Field(max_length=200)
    amount: Decimal = Field(sa_column=_money())


class FulfillmentEvent(SQLModel, table=True):
    __tablename__ = "fulfillment_event"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(sa_column=_fk("customer_order.id"))
    status: FulfillmentStatus = Field(
        sa_column=Column(EnumText(FulfillmentStatus, 30), nullable=False)
    )
    happened_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    message: str | None = Field(default=None, max_length=500)
    tracking_number: str | None = Field(default=None, max_length=100)
    tracking_url: str | None = Field(default=None, max_length=500)
    carrier: str | None = Field(default=None, max_length=100)


class Cart(SQLModel, table=True):
    __tablename__ = "cart"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=_fk("customer.id"))
    source_order_id: int | None = Field(
        default=None, sa_column=_fk("customer_order.id", nullable=True, ondelete="SET NULL")
    )
    token: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class CartLine(SQLModel, table=True):
    __tablename__ = "cart_line"

    id: int | None = Field(default=None, primary_key=True)
    cart_id: int = Field(sa_column=_fk("cart.id"))
    variant_id: int = Field(sa_column=_fk("product_variant.id"))
    quantity: int


class AbandonedCheckout(SQLModel, table=True):
    """A checkout the store reported abandoned after it captured an email."""

    __tablename__ = "abandoned_checkout"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=_fk("customer.id"))
    # The store's own id; reporting it again changes nothing.
    store_checkout_id: str = Field(max_length=100, unique=True)
    currency_code: str = Field(max_length=3)
    total: Decimal = Field(sa_column=_money())
    recovery_url: str | None = Field(default=None, max_length=500)
    abandoned_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
