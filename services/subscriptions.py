"""Subscriptions: reading a customer's, and the one way every change is made.

Every mutation goes through `change`: in one transaction it locks the
customer's subscription, asks the action's rule (`subscription_rules.refusal`),
applies the change, bumps the version, and writes the history entry and the
outbox event. A refusal raised anywhere inside rolls all of it back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.actors import Actor
from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from domain.schedule import Frequency, occurrences, shop_today
from domain.statuses import SubscriptionStatus
from domain.topics import Topic
from models.base import select_rows
from models.shop import SHOP_ID, CustomerAccountSettings, Shop
from models.subscription import SkippedCycle, Subscription, SubscriptionEvent
from plumbing import outbox
from plumbing.pagination import Page, SortKey, keyset_page
from plumbing.runtime import Runtime
from services.subscription_rules import PortalAction, refusal

# A bound on how far a schedule is walked (about three years of weekly orders).
MAX_SCHEDULE_STEPS = 160


def subscription_not_found(field: str = "subscriptionId") -> ServiceError:
    """The one answer for a missing, malformed or someone else's subscription."""
    return ServiceError(ErrorCode.NOT_FOUND, _("Subscription not found."), [field])


def frequency_of(sub: Subscription) -> Frequency:
    return Frequency(sub.interval, sub.interval_count)


def allowed_frequencies(sub: Subscription) -> list[Frequency]:
    return [Frequency.from_json(item) for item in sub.allowed_frequencies]


async def subscription_page(
    rt: Runtime,
    *,
    customer_id: int,
    status: SubscriptionStatus | None,
    first: int | None,
    after: str | None,
) -> Page[Subscription]:
    """A customer's subscriptions, newest first; raises InvalidCursor for a bad cursor."""
    stmt = select_rows(Subscription).where(col(Subscription.customer_id) == customer_id)
    if status is not None:
        stmt = stmt.where(col(Subscription.status) == status)
    async with rt.db.read() as session:
        return await keyset_page(
            session,
            stmt,
            keys=[
                SortKey(col(Subscription.created_at), descending=True),
                SortKey(col(Subscription.id), descending=True),
            ],
            row_key=lambda row: (row.created_at, row.id),
            first=first,
            after=after,
        )


async def history_page(
    rt: Runtime, *, subscription_id: int, first: int | None, after: str | None
) -> Page[SubscriptionEvent]:
    """A subscription's changes, newest first."""
    stmt = select_rows(SubscriptionEvent).where(
        col(SubscriptionEvent.subscription_id) == subscription_id
    )
    async with rt.db.read() as session:
        return await keyset_page(
            session,
            stmt,
            keys=[
                SortKey(col(SubscriptionEvent.created_at), descending=True),
                SortKey(col(SubscriptionEvent.id), descending=True),
            ],
            row_key=lambda row: (row.created_at, row.id),
            first=first,
            after=after,
        )


def upcoming_dates(
    sub: Subscription, skipped: set[date], start: date
) -> Iterator[tuple[date, bool]]:
    """The schedule's dates from `start` on, each with whether it is skipped (bounded)."""
    dates = occurrences(sub.anchor_date, frequency_of(sub), start)
    for _step in range(MAX_SCHEDULE_STEPS):
        day = next(dates)
        yield day, day in skipped


def first_unskipped(sub: Subscription, skipped: set[date], start: date) -> date:
    """The first order date on or after `start` that is not skipped."""
    for day, is_skipped in upcoming_dates(sub, skipped, start):
        if not is_skipped:
            return day
    raise ServiceError(ErrorCode.INVALID, _("Every coming order is skipped."), ["subscriptionId"])


@dataclass
class Change:
    """What an action's `apply` works with, inside the transaction."""

    session: AsyncSession
    rt: Runtime
    sub: Subscription
    settings: CustomerAccountSettings
    shop: Shop
    today: date
    now: datetime
    actor: Actor

    async def skipped_dates(self) -> set[date]:
        assert self.sub.id is not None
        rows = await self.session.scalars(
            select(col(SkippedCycle.order_date)).where(
                col(SkippedCycle.subscription_id) == self.sub.id
            )
        )
        return set(rows.all())

    async def drop_skips_from(self, day: date) -> list[str]:
        """Forget skipped dates on or after `day` (a new schedule no longer has them)."""
        assert self.sub.id is not None
        gone = sorted(d for d in await self.skipped_dates() if d >= day)
        if gone:
            await self.session.execute(
                delete(SkippedCycle).where(
                    col(SkippedCycle.subscription_id) == self.sub.id,
                    col(SkippedCycle.order_date) >= day,
                )
            )
        return [d.isoformat() for d in gone]


# What an action does: returns (before, after) for the history, JSON-able.
Apply = Callable[[Change], Awaitable[tuple[dict[str, Any], dict[str, Any]]]]


async def lock_owned(
    session: AsyncSession, *, customer_id: int, subscription_id: int | None
) -> Subscription:
    """The customer's subscription, locked for this transaction, or NOT_FOUND.

    FOR UPDATE makes a second writer on PostgreSQL wait and then see the first
    one's result; SQLite already serialises writers (BEGIN IMMEDIATE).
    """
    if subscription_id is None:
        raise subscription_not_found()
    sub = await session.scalar(
        select(Subscription)
        .where(
            col(Subscription.id) == subscription_id,
            col(Subscription.customer_id) == customer_id,
        )
        .with_for_update()
    )
    if sub is None:
        raise subscription_not_found()
    return sub


async def open_change(
    rt: Runtime,
    session: AsyncSession,
    *,
    customer_id: int,
    subscription_id: int | None,
    actor: Actor,
    action: PortalAction,
) -> Change:
    """Lock the subscription and check the action's rule; the start of every change."""
    sub = await lock_owned(session, customer_id=customer_id, subscription_id=subscription_id)
    settings = await session.get(CustomerAccountSettings, SHOP_ID)
    shop = await session.get(Shop, SHOP_ID)
    assert settings is not None and shop is not None
    now = rt.clock.now()
    today = shop_today(now, shop.time_zone)
    refused = refusal(action, sub, settings, today)
    if refused is not None:
        raise refused
    return Change(session, rt, sub, settings, shop, today, now, actor)


async def finish_change(
    change: Change,
    *,
    # A portal action, or what the system did (the worker's "renewal", "payment_declined").
    action: PortalAction | str,
    topic: Topic,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """Bump the version (re-checked), write the history entry and the outbox event."""
    sub = change.sub
    assert sub.id is not None
    seen = sub.version
    await change.session.flush()
    bumped = await change.session.execute(
        update(Subscription)
        .where(col(Subscription.id) == sub.id, col(Subscription.version) == seen)
        .values(version=seen + 1, updated_at=change.now)
        .execution_options(synchronize_session=False)
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        raise ServiceError(
            ErrorCode.NOT_ALLOWED_IN_STATE,
            _("The subscription changed meanwhile; reload it and try again."),
            ["subscriptionId"],
        )
    change.session.add(
        SubscriptionEvent(
            subscription_id=sub.id,
            actor=change.actor.key,
            action=str(action),
            before=before,
            after=after,
            created_at=change.now,
        )
    )
    outbox.record(
        change.session,
        topic=topic,
        actor=change.actor,
        customer_id=sub.customer_id,
        payload={"subscription_id": sub.id, **after},
        now=change.now,
    )


async def change(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    actor: Actor,
    action: PortalAction,
    topic: Topic,
    apply: Apply,
) -> Subscription:
    """Run one action on the customer's subscription, in one transaction.

    Returns the subscription as committed, read afresh.
    """
    async with rt.db.transaction() as session:
        opened = await open_change(
            rt,
            session,
            customer_id=customer_id,
            subscription_id=subscription_id,
            actor=actor,
            action=action,
        )
        before, after = await apply(opened)
        await finish_change(opened, action=action, topic=topic, before=before, after=after)
        sub_id = opened.sub.id
    async with rt.db.read() as session:
        row = await session.get(Subscription, sub_id)
    assert row is not None
    return row
