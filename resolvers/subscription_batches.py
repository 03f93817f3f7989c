"""Dataloader batch functions for subscriptions and the merchant's portal options.

Same contract as `resolvers.batches`: one query per batch, Core rows, answers
in key order. The merchant's options are one set per store, keyed by the
shop's id like its settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import bindparam, select
from sqlmodel import col

from models.base import select_rows
from models.catalog import Product, ProductVariant
from models.database import Database
from models.merchant import CancelReason, DiscountCode, PauseOption, RetentionOffer
from models.subscription import (
    SkippedCycle,
    Subscription,
    SubscriptionDiscount,
    SubscriptionLine,
)
from resolvers.batches import by_keys, groups_by_key, rows_by_key

# Enough add-ons for any carousel; a bound on what one request reads.
MAX_UPSELL_CANDIDATES = 200

_SUBSCRIPTIONS = by_keys(col(Subscription.id))
_LINES = by_keys(
    col(SubscriptionLine.subscription_id), col(SubscriptionLine.position), col(SubscriptionLine.id)
)
_SKIPS = by_keys(col(SkippedCycle.subscription_id), col(SkippedCycle.order_date))
# The codes applied to each subscription, in the order they were applied.
_CODES = (
    select(*DiscountCode.__table__.columns, col(SubscriptionDiscount.subscription_id))  # type: ignore[attr-defined]
    .join(SubscriptionDiscount, col(SubscriptionDiscount.discount_code_id) == col(DiscountCode.id))
    .where(col(SubscriptionDiscount.subscription_id).in_(bindparam("keys", expanding=True)))
    .order_by(col(SubscriptionDiscount.applied_at), col(SubscriptionDiscount.id))
)
_PAUSE_OPTIONS = (
    select_rows(PauseOption)
    .where(col(PauseOption.active).is_(True))
    .order_by(col(PauseOption.position), col(PauseOption.id))
)
_CANCEL_REASONS = (
    select_rows(CancelReason)
    .where(col(CancelReason.active).is_(True))
    .order_by(col(CancelReason.position), col(CancelReason.id))
)
_OFFERS = (
    select_rows(RetentionOffer)
    .where(col(RetentionOffer.active).is_(True))
    .order_by(col(RetentionOffer.id))
)
_UPSELLS = (
    select_rows(ProductVariant)
    .join(Product, col(Product.id) == col(ProductVariant.product_id))
    .where(
        col(Product.active).is_(True),
        col(Product.upsell_eligible).is_(True),
        col(ProductVariant.available).is_(True),
    )
    .order_by(col(Product.title), col(ProductVariant.position), col(ProductVariant.id))
    .limit(MAX_UPSELL_CANDIDATES)
)


async def subscription_by_id(db: Database, ids: Sequence[int]) -> list[Subscription | None]:
    return await rows_by_key(db, _SUBSCRIPTIONS, "id", ids, Subscription)


async def lines_by_subscription_id(
    db: Database, ids: Sequence[int]
) -> list[list[SubscriptionLine]]:
    return await groups_by_key(db, _LINES, "subscription_id", ids, SubscriptionLine)


async def skipped_cycles_by_subscription_id(
    db: Database, ids: Sequence[int]
) -> list[list[SkippedCycle]]:
    return await groups_by_key(db, _SKIPS, "subscription_id", ids, SkippedCycle)


async def discount_codes_by_subscription_id(
    db: Database, ids: Sequence[int]
) -> list[list[DiscountCode]]:
    return await groups_by_key(db, _CODES, "subscription_id", ids, DiscountCode)


async def _per_shop(db: Database, stmt: Any, shop_ids: Sequence[int]) -> list[list[Any]]:
    # One store per deployment: every key gets the same list.
    rows = list(await db.rows(stmt, {}))
    return [rows for _ in shop_ids]


async def pause_options_by_shop_id(db: Database, ids: Sequence[int]) -> list[list[PauseOption]]:
    return cast(list[list[PauseOption]], await _per_shop(db, _PAUSE_OPTIONS, ids))


async def cancel_reasons_by_shop_id(db: Database, ids: Sequence[int]) -> list[list[CancelReason]]:
    return cast(list[list[CancelReason]], await _per_shop(db, _CANCEL_REASONS, ids))


async def retention_offers_by_shop_id(
    db: Database, ids: Sequence[int]
) -> list[list[RetentionOffer]]:
    return cast(list[list[RetentionOffer]], await _per_shop(db, _OFFERS, ids))


async def upsell_variants_by_shop_id(
    db: Database, ids: Sequence[int]
) -> list[list[ProductVariant]]:
    return cast(list[list[ProductVariant]], await _per_shop(db, _UPSELLS, ids))
