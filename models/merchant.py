"""What the merchant configures for the subscription portal: pause options,
cancel reasons, retention offers and discount codes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from domain.statuses import DiscountKind
from models.base import EnumText, MoneyAmount, UTCDateTime


class PauseOption(SQLModel, table=True):
    __tablename__ = "pause_option"

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=100)
    # Null: open-ended, until the customer unpauses.
    days: int | None = None
    position: int = 0
    active: bool = True


class CancelReason(SQLModel, table=True):
    __tablename__ = "cancel_reason"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True)
    label: str = Field(max_length=200)
    # "Other" and the like: the customer must say more.
    requires_comment: bool = False
    position: int = 0
    active: bool = True


class RetentionOffer(SQLModel, table=True):
    """The downsell shown in the cancel flow: a share off the recurring lines."""

    __tablename__ = "retention_offer"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    percent_off: Decimal = Field(sa_column=Column(MoneyAmount(), nullable=False))
    active: bool = True


def _money(nullable: bool) -> Any:
    return Column(MoneyAmount(), nullable=nullable)


class DiscountCode(SQLModel, table=True):
    __tablename__ = "discount_code"

    id: int | None = Field(default=None, primary_key=True)
    # Stored upper-cased; customers type codes in any case.
    code: str = Field(max_length=50, unique=True)
    title: str = Field(max_length=200)
    kind: DiscountKind = Field(sa_column=Column(EnumText(DiscountKind, 20), nullable=False))
    # Percent (0-100) for PERCENTAGE, an amount in the shop's currency for FIXED_AMOUNT.
    value: Decimal = Field(sa_column=_money(nullable=False))
    # False: the next order only; true: every order while applied.
    recurring: bool = False
    min_subtotal: Decimal | None = Field(default=None, sa_column=_money(nullable=True))
    expires_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # Orders it may discount in all, and per customer; null: no limit.
    usage_limit: int | None = None
    per_customer_limit: int | None = None
    times_used: int = 0
    active: bool = True


class DiscountRedemption(SQLModel, table=True):
    """One order a code discounted: the usage that limits count."""

    __tablename__ = "discount_redemption"

    id: int | None = Field(default=None, primary_key=True)
    discount_code_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("discount_code.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    customer_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("customer.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    order_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("customer_order.id", ondelete="SET NULL"), nullable=True
        ),
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
