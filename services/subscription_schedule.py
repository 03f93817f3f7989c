"""When orders come: the next order date, the frequency, skips."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import col, select

from domain.actors import Actor
from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from domain.schedule import Frequency, Interval
from domain.topics import Topic
from models.subscription import SkippedCycle, Subscription
from plumbing.runtime import Runtime
from services.subscription_rules import PortalAction
from services.subscriptions import (
    Change,
    allowed_frequencies,
    change,
    first_unskipped,
    frequency_of,
    upcoming_dates,
)


def check_order_date(day: date, ch: Change, field: str) -> None:
    """A next order date the customer may choose: after today, within the merchant's horizon."""
    if day <= ch.today:
        raise ServiceError(ErrorCode.INVALID, _("Choose a date after today."), [field])
    horizon = ch.today + timedelta(days=ch.settings.date_horizon_days)
    if day > horizon:
        raise ServiceError(
            ErrorCode.INVALID,
            _(
                "Choose a date within {days} days (on or before {last}).",
                days=ch.settings.date_horizon_days,
                last=horizon.isoformat(),
            ),
            [field],
        )


def _schedule(sub: Subscription) -> dict[str, Any]:
    return {
        "next_order_date": sub.next_order_date.isoformat() if sub.next_order_date else None,
        "interval": sub.interval.value,
        "interval_count": sub.interval_count,
    }


async def _reanchor(ch: Change, day: date) -> list[str]:
    """Orders fall from `day` by the frequency; skips of the old schedule are dropped."""
    dropped = await ch.drop_skips_from(ch.today)
    ch.sub.anchor_date = day
    ch.sub.next_order_date = day
    return dropped


async def change_next_order_date(
    rt: Runtime, *, customer_id: int, subscription_id: int | None, day: date, actor: Actor
) -> Subscription:
    """Move the next order to `day`; later orders follow from it by the frequency."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        check_order_date(day, ch, "date")
        before = _schedule(ch.sub)
        dropped = await _reanchor(ch, day)
        if dropped:
            before["skipped"] = dropped
        return before, _schedule(ch.sub)

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.CHANGE_NEXT_ORDER_DATE,
        topic=Topic.SUBSCRIPTION_NEXT_ORDER_DATE_CHANGED,
        apply=apply,
    )


async def change_frequency(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    interval: Interval,
    interval_count: int,
    next_order_date: date | None,
    actor: Actor,
) -> Subscription:
    """Switch to one of the frequencies offered; optionally move the next order date too.

    Without a new date the next order keeps its date and the ones after it follow
    the new frequency.
    """
    wanted = Frequency(interval, interval_count)

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        offered = allowed_frequencies(ch.sub)
        if wanted not in offered:
            listed = ", ".join(f"every {f.count} {f.interval.value.lower()}" for f in offered)
            raise ServiceError(
                ErrorCode.INVALID,
                _("Choose one of the frequencies offered: {listed}.", listed=listed),
                ["frequency"],
            )
        if next_order_date is not None:
            check_order_date(next_order_date, ch, "nextOrderDate")
        before = _schedule(ch.sub)
        if wanted == frequency_of(ch.sub) and next_order_date is None:
            raise ServiceError(
                ErrorCode.INVALID, _("This is already the subscription's frequency."), ["frequency"]
            )
        ch.sub.interval = wanted.interval
        ch.sub.interval_count = wanted.count
        start = next_order_date or ch.sub.next_order_date
        if start is not None:
            dropped = await _reanchor(ch, start)
            if dropped:
                before["skipped"] = dropped
        return before, _schedule(ch.sub)

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.CHANGE_FREQUENCY,
        topic=Topic.SUBSCRIPTION_FREQUENCY_CHANGED,
        apply=apply,
    )


async def skip_orders(
    rt: Runtime, *, customer_id: int, subscription_id: int | None, cycles: int | None, actor: Actor
) -> Subscription:
    """Skip the next `cycles` orders (1 to the merchant's maximum); the next date moves on."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        most = ch.settings.max_skip_cycles
        if cycles is None or not 1 <= cycles <= most:
            raise ServiceError(
                ErrorCode.INVALID,
                _("You can skip one order.")
                if most == 1
                else _("Skip between 1 and {most} orders.", most=most),
                ["cycles"],
            )
        sub = ch.sub
        assert sub.id is not None and sub.next_order_date is not None
        skipped = await ch.skipped_dates()
        coming = [d for d, is_skipped in upcoming_dates(sub, skipped, sub.next_order_date)]
        chosen = [d for d in coming if d not in skipped][:cycles]
        before = _schedule(sub)
        ch.session.add_all(
            SkippedCycle(subscription_id=sub.id, order_date=d, created_at=ch.now) for d in chosen
        )
        sub.next_order_date = first_unskipped(sub, skipped | set(chosen), chosen[-1])
        after = {**_schedule(sub), "skipped": [d.isoformat() for d in chosen]}
        return before, after

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.SKIP,
        topic=Topic.SUBSCRIPTION_SKIPPED,
        apply=apply,
    )


async def unskip_order(
    rt: Runtime, *, customer_id: int, subscription_id: int | None, day: date, actor: Actor
) -> Subscription:
    """Bring back one skipped order date that is still to come."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        sub = ch.sub
        assert sub.id is not None
        row = await ch.session.scalar(
            select(SkippedCycle).where(
                col(SkippedCycle.subscription_id) == sub.id, col(SkippedCycle.order_date) == day
            )
        )
        if row is None:
            raise ServiceError(ErrorCode.NOT_FOUND, _("That order date is not skipped."), ["date"])
        if day <= ch.today:
            raise ServiceError(ErrorCode.INVALID, _("That order date has passed."), ["date"])
        before = _schedule(sub)
        await ch.session.delete(row)
        if sub.next_order_date is None or day < sub.next_order_date:
            sub.next_order_date = day
        return before, {**_schedule(sub), "unskipped": day.isoformat()}

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.UNSKIP,
        topic=Topic.SUBSCRIPTION_UNSKIPPED,
        apply=apply,
    )
