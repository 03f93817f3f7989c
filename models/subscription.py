"""Subscriptions: what recurs, when, where it ships, how it is paid, and every change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.schedule import Interval
from domain.statuses import RenewalStatus, SubscriptionStatus
from models.base import EnumText, MoneyAmount, UTCDateTime, utcnow


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Any:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


def _date(nullable: bool = True) -> Any:
    return Column(Date, nullable=nullable)


class Subscription(SQLModel, table=True):
    __tablename__ = "subscription"
    __table_args__ = (
        # Keyset pagination of a customer's subscriptions, newest first, optionally by status.
        Index("ix_subscription_customer_created", "customer_id", "created_at", "id"),
        # The renewal worker's scan: active subscriptions by due date.
        Index("ix_subscription_status_next", "status", "next_order_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    status: SubscriptionStatus = Field(
        default=SubscriptionStatus.ACTIVE,
        sa_column=Column(EnumText(SubscriptionStatus, 20), nullable=False),
    )
    # The schedule: the k-th order falls on anchor + k * frequency (domain.schedule).
    anchor_date: date = Field(sa_column=_date(nullable=False))
    # Null once cancelled: no order is coming.
    next_order_date: date | None = Field(default=None, sa_column=_date())
    # A fixed pause ends on this date; null for an open-ended pause or when not paused.
    paused_until: date | None = Field(default=None, sa_column=_date())
    interval: Interval = Field(sa_column=Column(EnumText(Interval, 10), nullable=False))
    interval_count: int
    # The frequencies the merchant offers for this subscription: [{interval, intervalCount}].
    allowed_frequencies: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    is_prepaid: bool = False
    # Orders paid in advance, and how many of them are still to ship.
    prepaid_cycles: int | None = None
    prepaid_cycles_remaining: int | None = None
    currency_code: str = Field(default="USD", max_length=3)
    # Snapshot of models.address.ADDRESS_FIELDS: editing the saved address later changes nothing.
    shipping_address: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    payment_method_id: int | None = Field(
        default=None, sa_column=_fk("payment_method.id", nullable=True, ondelete="SET NULL")
    )
    # The product the subscription was bought with.
    product_id: int | None = Field(
        default=None, sa_column=_fk("product.id", nullable=True, ondelete="SET NULL")
    )
    # One early order (getNow) per shop day.
    last_early_order_on: date | None = Field(default=None, sa_column=_date())
    retention_offer_id: int | None = Field(
        default=None, sa_column=_fk("retention_offer.id", nullable=True, ondelete="SET NULL")
    )
    retention_accepted_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    cancelled_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    cancel_reason_code: str | None = Field(default=None, max_length=50)
    cancel_comment: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    # Bumped by every change; writers update `WHERE version = :seen`.
    version: int = 1


class SubscriptionLine(SQLModel, table=True):
    __tablename__ = "subscription_line"

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(sa_column=_fk("subscription.id"))
    variant_id: int = Field(sa_column=_fk("product_variant.id", ondelete="RESTRICT"))
    quantity: int
    unit_price: Decimal = Field(sa_column=Column(MoneyAmount(), nullable=False))
    # For the next order only; consumed when that order is placed.
    one_time: bool = False
    position: int = 0


class SkippedCycle(SQLModel, table=True):
    """An order date of the schedule the customer chose to skip."""

    __tablename__ = "skipped_cycle"
    __table_args__ = (UniqueConstraint("subscription_id", "order_date"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(sa_column=_fk("subscription.id"))
    order_date: date = Field(sa_column=_date(nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class SubscriptionDiscount(SQLModel, table=True):
    """A discount code applied to a subscription's coming orders."""

    __tablename__ = "subscription_discount"
    __table_args__ = (UniqueConstraint("subscription_id", "discount_code_id"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(sa_column=_fk("subscription.id"))
    discount_code_id: int = Field(sa_column=_fk("discount_code.id"))
    applied_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class SubscriptionEvent(SQLModel, table=True):
    """The history: who changed what, from what, to what."""

    __tablename__ = "subscription_event"
    __table_args__ = (
        Index("ix_subscription_event_subscription_created", "subscription_id", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(
        sa_column=Column(Integer, ForeignKey("subscription.id", ondelete="CASCADE"), nullable=False)
    )
    # `domain.actors.Actor.key`: customer:42, api_key:7, system:worker.
    actor: str = Field(max_length=80)
    action: str = Field(max_length=50)
    before: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    after: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class RenewalAttempt(SQLModel, table=True):
    """One charge attempt of one renewal cycle: what the worker claimed, charged and decided.

    A row stays CHARGING from the claim until the order (or the decline) commits, so a
    worker that dies in between leaves it for the next run, which charges again with
    the same gateway key (the gateway answers with the first charge) and places the
    order once.
    """

    __tablename__ = "renewal_attempt"
    __table_args__ = (
        UniqueConstraint("subscription_id", "cycle_date", "attempt"),
        # The worker's look for charges left in hand, and `worker --check`.
        Index("ix_renewal_attempt_status_claimed", "status", "claimed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(sa_column=_fk("subscription.id"))
    # The schedule date the order is for; retries keep it.
    cycle_date: date = Field(sa_column=_date(nullable=False))
    # 1 for the first charge of the cycle, then one more per retry.
    attempt: int
    status: RenewalStatus = Field(sa_column=Column(EnumText(RenewalStatus, 20), nullable=False))
    # renewal:<subscription id>:<cycle date>:<attempt>; unique, so one charge per attempt.
    gateway_key: str = Field(max_length=120, unique=True)
    amount: Decimal = Field(sa_column=Column(MoneyAmount(), nullable=False))
    # The discount codes whose use this attempt reserved (released on a decline).
    code_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Null for a prepaid cycle (nothing charged) and until the gateway answers.
    charge_id: str | None = Field(default=None, max_length=120)
    order_id: int | None = Field(
        default=None, sa_column=_fk("customer_order.id", nullable=True, ondelete="SET NULL")
    )
    decline_message: str | None = Field(default=None, max_length=500)
    # When the next attempt of this cycle is due, after a decline with retries left.
    retry_on: date | None = Field(default=None, sa_column=_date())
    claimed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    finished_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class EarlyOrder(SQLModel, table=True):
    """One getNow order from its claim to its outcome, so a crash in between is recovered.

    The row is written with the claim (CHARGING) and moved on, by a conditional UPDATE,
    by whoever finishes it: the request that claimed it, or the worker once the claim is
    older than a gateway call can take (the request died between charge and commit).
    """

    __tablename__ = "early_order"
    __table_args__ = (
        # The worker's look for claims left in hand, and `worker --check`.
        Index("ix_early_order_status_claimed", "status", "claimed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(sa_column=_fk("subscription.id"))
    # The shop day of the claim; getNow allows one early order per subscription and day.
    shop_day: date = Field(sa_column=_date(nullable=False))
    payment_method_id: int | None = Field(
        default=None, sa_column=_fk("payment_method.id", nullable=True, ondelete="SET NULL")
    )
    status: RenewalStatus = Field(sa_column=Column(EnumText(RenewalStatus, 20), nullable=False))
    # getnow:<subscription id>:<shop day>:<card id>: the charge is made once, by whoever
    # finishes. Not unique: after a decline the customer may try the same card again.
    gateway_key: str = Field(max_length=120)
    amount: Decimal = Field(sa_column=Column(MoneyAmount(), nullable=False))
    # The discount codes whose use the claim reserved (released on a decline).
    code_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # What a decline restores on the subscription.
    previous_early_order_on: date | None = Field(default=None, sa_column=_date())
    # Who asked, and the Idempotency-Key whose result the outcome completes.
    actor: str = Field(max_length=80)
    idempotency_key: str | None = Field(default=None, max_length=200)
    charge_id: str | None = Field(default=None, max_length=120)
    order_id: int | None = Field(
        default=None, sa_column=_fk("customer_order.id", nullable=True, ondelete="SET NULL")
    )
    decline_message: str | None = Field(default=None, max_length=500)
    # When the customer asked: the order's time, whoever places it.
    requested_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # Taken again by a worker recovering the claim, so no other worker takes it meanwhile.
    claimed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    finished_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
