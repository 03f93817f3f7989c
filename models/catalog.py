"""The catalogue: products and their variants."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from models.base import MoneyAmount, UTCDateTime, utcnow


class Product(SQLModel, table=True):
    __tablename__ = "product"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200, index=True)
    handle: str = Field(max_length=200, unique=True)
    # The store's own id, by which the merchant side upserts it.
    store_product_id: str | None = Field(default=None, max_length=100, unique=True)
    image_url: str | None = Field(default=None, max_length=500)
    # Archived products stay referenced by old orders but leave the catalogue.
    active: bool = True
    # Subscription portal: may replace another product on a subscription (swap),
    # and is offered in the add-on carousel (upsell).
    swap_eligible: bool = True
    upsell_eligible: bool = False
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ProductVariant(SQLModel, table=True):
    __tablename__ = "product_variant"

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("product.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    title: str = Field(max_length=200)
    sku: str | None = Field(default=None, max_length=100, unique=True)
    price: Decimal = Field(sa_column=Column(MoneyAmount(), nullable=False))
    available: bool = True
    position: int = 0
