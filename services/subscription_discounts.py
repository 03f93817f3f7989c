"""Discount codes on a subscription: applied to the coming orders, and removed.

A code is checked when it is applied (known, active, not expired, its minimum reached,
uses left for the shop and for this customer, not already on the subscription), and
again for each order: `subscription_pricing` passes over a code that has expired or
been switched off since, and the order's claim reserves one of its uses.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from domain.actors import Actor
from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from domain.topics import Topic
from models.merchant import DiscountCode, DiscountRedemption
from models.subscription import Subscription, SubscriptionDiscount, SubscriptionLine
from plumbing.runtime import Runtime
from services.subscription_pricing import price
from services.subscription_rules import PortalAction
from services.subscriptions import Change, change

MAX_DISCOUNT_CODES = 5
MAX_CODE_LENGTH = 50


def _typed_code(code: str) -> str:
    typed = code.strip().upper()
    if not typed:
        raise ServiceError(ErrorCode.INVALID, _("Enter a discount code."), ["code"])
    return typed


def _invalid(reason: str) -> ServiceError:
    return ServiceError(ErrorCode.DISCOUNT_INVALID, reason, ["code"])


async def _count(ch: Change, stmt: Any) -> int:
    return int(await ch.session.scalar(stmt) or 0)


async def _check_code(ch: Change, row: DiscountCode | None) -> DiscountCode:
    """Why this code cannot be applied to this subscription now, in the order a customer
    can act on: does it exist, is it on offer, does the order qualify, is any use left."""
    if row is None:
        raise _invalid(_("This code does not exist."))
    if not row.active:
        raise _invalid(_("This code is no longer active."))
    if row.expires_at is not None and row.expires_at <= ch.now:
        raise _invalid(_("This code has expired."))
    sub_id = ch.sub.id
    if row.min_subtotal is not None:
        lines = await ch.session.scalars(
            select(SubscriptionLine).where(col(SubscriptionLine.subscription_id) == sub_id)
        )
        subtotal = price(list(lines.all()), [], ch.now).subtotal
        if subtotal < row.min_subtotal:
            raise _invalid(
                _(
                    "This code needs an order of at least {amount}.",
                    amount=f"{row.min_subtotal:.2f}",
                )
            )
    if row.usage_limit is not None and row.times_used >= row.usage_limit:
        raise _invalid(_("This code has been used as many times as it can be."))
    if row.per_customer_limit is not None:
        used = await _count(
            ch,
            select(func.count())
            .select_from(DiscountRedemption)
            .where(
                col(DiscountRedemption.discount_code_id) == row.id,
                col(DiscountRedemption.customer_id) == ch.sub.customer_id,
            ),
        )
        if used >= row.per_customer_limit:
            raise _invalid(_("You have already used this code as many times as it allows."))
    applied = await ch.session.scalars(
        select(col(SubscriptionDiscount.discount_code_id)).where(
            col(SubscriptionDiscount.subscription_id) == sub_id
        )
    )
    codes = set(applied.all())
    if row.id in codes:
        raise _invalid(_("This code is already applied."))
    if len(codes) >= MAX_DISCOUNT_CODES:
        raise _invalid(
            _("At most {count} codes can be applied; remove one first.", count=MAX_DISCOUNT_CODES)
        )
    return row


async def apply_discount_code(
    rt: Runtime, *, customer_id: int, subscription_id: int | None, code: str, actor: Actor
) -> Subscription:
    """Apply a code (any case) to the coming orders, once its conditions are checked."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        typed = _typed_code(code)
        found = None
        if len(typed) <= MAX_CODE_LENGTH:
            # Codes are stored upper-cased (models.merchant.DiscountCode).
            found = await ch.session.scalar(
                select(DiscountCode).where(col(DiscountCode.code) == typed)
            )
        row = await _check_code(ch, found)
        assert ch.sub.id is not None and row.id is not None
        ch.session.add(
            SubscriptionDiscount(
                subscription_id=ch.sub.id, discount_code_id=row.id, applied_at=ch.now
            )
        )
        return {"code": None}, {"code": row.code}

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.APPLY_DISCOUNT,
        topic=Topic.SUBSCRIPTION_DISCOUNT_APPLIED,
        apply=apply,
    )


async def remove_discount_code(
    rt: Runtime, *, customer_id: int, subscription_id: int | None, code: str, actor: Actor
) -> Subscription:
    """Take an applied code (any case) off the coming orders."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        typed = _typed_code(code)
        applied = await ch.session.scalar(
            select(SubscriptionDiscount)
            .join(DiscountCode, col(DiscountCode.id) == col(SubscriptionDiscount.discount_code_id))
            .where(
                col(SubscriptionDiscount.subscription_id) == ch.sub.id,
                col(DiscountCode.code) == typed,
            )
        )
        if applied is None:
            raise ServiceError(
                ErrorCode.NOT_FOUND, _("This code is not applied to the subscription."), ["code"]
            )
        await ch.session.delete(applied)
        return {"code": typed}, {"code": None}

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.APPLY_DISCOUNT,
        topic=Topic.SUBSCRIPTION_DISCOUNT_REMOVED,
        apply=apply,
    )
