"""Holding, stopping and keeping a subscription: pause, unpause, cancel, retention, reactivate."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from domain.actors import Actor
from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from domain.schedule import shop_today
from domain.statuses import SubscriptionStatus
from domain.topics import Topic
from domain.validation import refuse_control_characters
from models.merchant import CancelReason, PauseOption, RetentionOffer
from models.shop import SHOP_ID, CustomerAccountSettings, Shop
from models.subscription import Subscription, SubscriptionLine
from plumbing.runtime import Runtime
from services.subscription_pricing import with_offer
from services.subscription_rules import PortalAction
from services.subscription_schedule import check_order_date
from services.subscriptions import Change, change, finish_change, first_unskipped

MAX_COMMENT_LENGTH = 1000


def _state(sub: Subscription) -> dict[str, Any]:
    return {
        "status": sub.status.value,
        "next_order_date": sub.next_order_date.isoformat() if sub.next_order_date else None,
        "paused_until": sub.paused_until.isoformat() if sub.paused_until else None,
    }


async def pause(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    pause_option_id: int | None,
    actor: Actor,
) -> Subscription:
    """Pause with one of the merchant's options: for a fixed number of days, or until unpaused.

    No order falls while paused; a fixed pause ends on `pausedUntil`, and the next
    order is the schedule's first date from then on.
    """

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        option = None
        if pause_option_id is not None:
            option = await ch.session.get(PauseOption, pause_option_id)
        if option is None or not option.active:
            raise ServiceError(ErrorCode.NOT_FOUND, _("Pause option not found."), ["pauseOptionId"])
        sub = ch.sub
        before = _state(sub)
        sub.status = SubscriptionStatus.PAUSED
        if option.days is None:
            sub.paused_until = None
            sub.next_order_date = None
        else:
            sub.paused_until = ch.today + timedelta(days=option.days)
            sub.next_order_date = first_unskipped(sub, await ch.skipped_dates(), sub.paused_until)
        return before, {**_state(sub), "pause_option": option.label}

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.PAUSE,
        topic=Topic.SUBSCRIPTION_PAUSED,
        apply=apply,
    )


async def resume(ch: Change) -> None:
    """Active again; the next order is the schedule's first unskipped date after today."""
    sub = ch.sub
    sub.status = SubscriptionStatus.ACTIVE
    sub.paused_until = None
    sub.next_order_date = first_unskipped(
        sub, await ch.skipped_dates(), ch.today + timedelta(days=1)
    )


async def unpause(
    rt: Runtime, *, customer_id: int, subscription_id: int | None, actor: Actor
) -> Subscription:
    """End a pause now, whichever kind it was."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        before = _state(ch.sub)
        await resume(ch)
        return before, _state(ch.sub)

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.UNPAUSE,
        topic=Topic.SUBSCRIPTION_UNPAUSED,
        apply=apply,
    )


async def cancel(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    reason_code: str,
    comment: str | None,
    actor: Actor,
) -> Subscription:
    """Stop future orders, with a reason from the merchant's list (and a comment where it
    asks for one). Orders already placed are not touched."""
    text = refuse_control_characters((comment or "").strip(), ["comment"], allow_newlines=True)
    if len(text) > MAX_COMMENT_LENGTH:
        raise ServiceError(
            ErrorCode.INVALID,
            _("Keep the comment to {limit} characters or fewer.", limit=MAX_COMMENT_LENGTH),
            ["comment"],
        )

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        reason = await ch.session.scalar(
            select(CancelReason).where(
                col(CancelReason.code) == reason_code, col(CancelReason.active).is_(True)
            )
        )
        if reason is None:
            raise ServiceError(
                ErrorCode.INVALID, _("Choose one of the reasons offered."), ["reasonCode"]
            )
        if reason.requires_comment and not text:
            raise ServiceError(ErrorCode.INVALID, _("Tell us a little more."), ["comment"])
        sub = ch.sub
        before = _state(sub)
        sub.status = SubscriptionStatus.CANCELLED
        sub.next_order_date = None
        sub.paused_until = None
        sub.cancelled_at = ch.now
        sub.cancel_reason_code = reason.code
        sub.cancel_comment = text or None
        return before, {**_state(sub), "reason": reason.code, "comment": text or None}

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.CANCEL,
        topic=Topic.SUBSCRIPTION_CANCELLED,
        apply=apply,
    )


async def accept_retention_offer(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    offer_id: int | None,
    actor: Actor,
) -> Subscription:
    """Take the merchant's offer instead of cancelling: its share comes off every recurring
    line, and the subscription stays. Once per subscription."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        offer = None if offer_id is None else await ch.session.get(RetentionOffer, offer_id)
        if offer is None or not offer.active:
            raise ServiceError(ErrorCode.NOT_FOUND, _("Offer not found."), ["offerId"])
        sub = ch.sub
        lines = (
            await ch.session.scalars(
                select(SubscriptionLine).where(
                    col(SubscriptionLine.subscription_id) == sub.id,
                    col(SubscriptionLine.one_time).is_(False),
                )
            )
        ).all()
        before = {"prices": {str(line.id): str(line.unit_price) for line in lines}}
        for line in lines:
            line.unit_price = with_offer(line.unit_price, offer.percent_off)
        sub.retention_offer_id = offer.id
        sub.retention_accepted_at = ch.now
        after = {
            "offer_id": offer.id,
            "prices": {str(line.id): str(line.unit_price) for line in lines},
        }
        return before, after

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.ACCEPT_RETENTION_OFFER,
        topic=Topic.SUBSCRIPTION_RETAINED,
        apply=apply,
    )


async def reactivate(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    next_order_date: date,
    actor: Actor,
) -> Subscription:
    """A cancelled subscription runs again, its next order on the date chosen."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        check_order_date(next_order_date, ch, "nextOrderDate")
        sub = ch.sub
        before = _state(sub)
        await ch.drop_skips_from(ch.today)
        sub.status = SubscriptionStatus.ACTIVE
        sub.anchor_date = next_order_date
        sub.next_order_date = next_order_date
        sub.cancelled_at = None
        sub.cancel_reason_code = None
        sub.cancel_comment = None
        return before, _state(sub)

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.REACTIVATE,
        topic=Topic.SUBSCRIPTION_REACTIVATED,
        apply=apply,
    )


async def end_fixed_pauses(rt: Runtime, *, actor: Actor, batch: int = 100) -> int:
    """Resume every subscription whose fixed pause ends today or earlier; returns how many.

    For the worker (a system actor). Rows are claimed with FOR UPDATE SKIP LOCKED, so
    several workers share the work and none waits on a customer's change in progress.
    """
    async with rt.db.transaction() as session:
        shop = await session.get(Shop, SHOP_ID)
        settings = await session.get(CustomerAccountSettings, SHOP_ID)
        assert shop is not None and settings is not None
        now = rt.clock.now()
        today = shop_today(now, shop.time_zone)
        due = (
            await session.scalars(
                select(Subscription)
                .where(
                    col(Subscription.status) == SubscriptionStatus.PAUSED,
                    col(Subscription.paused_until) <= today,
                )
                .order_by(col(Subscription.paused_until), col(Subscription.id))
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for sub in due:
            ch = Change(session, rt, sub, settings, shop, today, now, actor)
            before = _state(sub)
            sub.status = SubscriptionStatus.ACTIVE
            sub.paused_until = None
            if sub.next_order_date is None or sub.next_order_date < today:
                sub.next_order_date = first_unskipped(sub, await ch.skipped_dates(), today)
            await finish_change(
                ch,
                action=PortalAction.UNPAUSE,
                topic=Topic.SUBSCRIPTION_UNPAUSED,
                before=before,
                after={**_state(sub), "reason": "pause_ended"},
            )
    return len(due)
