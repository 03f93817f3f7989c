"""Upcoming orders announced N shop-days ahead, each subscription's cycle once.

The job only writes the outbox event `subscription.upcoming_order` (with an
`upcoming_order_notice` row for the subscription and date, unique), so the email
itself goes out like every other notification, once, through `services.notifications`.
A date moved after its announcement is announced again when the new date comes near.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, exists, select
from sqlmodel import col

from domain.actors import Actor
from domain.schedule import shop_today
from domain.statuses import RenewalStatus, SubscriptionStatus
from domain.topics import Topic
from models.events import UpcomingOrderNotice
from models.shop import SHOP_ID, CustomerAccountSettings, Shop
from models.subscription import RenewalAttempt, Subscription
from plumbing import outbox
from plumbing.runtime import Runtime

WORKER = Actor.system("worker")


async def announce_upcoming(rt: Runtime, batch: int) -> int:
    """One batch (one transaction): subscriptions whose next order is exactly the notice
    days away and not yet announced for that date; how many were announced."""
    async with rt.db.transaction() as session:
        shop = await session.get(Shop, SHOP_ID)
        assert shop is not None
        merchant = await session.get(CustomerAccountSettings, SHOP_ID)
        days = (merchant.upcoming_order_notice_days if merchant else None) or (
            rt.settings.upcoming_order_notice_days
        )
        now = rt.clock.now()
        order_date = shop_today(now, shop.time_zone) + timedelta(days=days)
        announced = exists().where(
            and_(
                col(UpcomingOrderNotice.subscription_id) == col(Subscription.id),
                col(UpcomingOrderNotice.order_date) == order_date,
            )
        )
        # A declined card's retry is not a new order: the decline's email said when it comes.
        retry = exists().where(
            and_(
                col(RenewalAttempt.subscription_id) == col(Subscription.id),
                col(RenewalAttempt.status) == RenewalStatus.DECLINED,
                col(RenewalAttempt.retry_on) == order_date,
            )
        )
        subs = (
            await session.scalars(
                select(Subscription)
                .where(
                    col(Subscription.status) == SubscriptionStatus.ACTIVE,
                    col(Subscription.next_order_date) == order_date,
                    ~announced,
                    ~retry,
                )
                .order_by(col(Subscription.id))
                .limit(batch)
                # Another worker holding the row is announcing it; the unique notice
                # row is the backstop should two ever get past this.
                .with_for_update(skip_locked=True)
            )
        ).all()
        for sub in subs:
            assert sub.id is not None
            session.add(
                UpcomingOrderNotice(subscription_id=sub.id, order_date=order_date, created_at=now)
            )
            outbox.record(
                session,
                topic=Topic.SUBSCRIPTION_UPCOMING_ORDER,
                actor=WORKER,
                customer_id=sub.customer_id,
                payload={"subscription_id": sub.id, "order_date": order_date.isoformat()},
                now=now,
            )
    return len(subs)
