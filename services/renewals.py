"""Renewals: every due subscription's order, placed once and charged once per attempt.

The same three steps as getNow (`subscription_orders`), for the worker:

1. **Claim** (one transaction, a batch): active subscriptions whose next order date
   has come, locked with FOR UPDATE SKIP LOCKED so several workers share them and none
   waits on another or on a customer's change. Each claimed one gets a
   `renewal_attempt` row (CHARGING) for its cycle date and attempt number, priced as
   `upcomingOrder` shows it, its discounts' uses reserved.
2. **Charge**, outside any transaction, with the gateway key
   `renewal:<subscription id>:<cycle date>:<attempt>`. A prepaid cycle is not charged.
3. **Place** (one transaction): the attempt CHARGING -> SUCCEEDED (conditional, so
   only one worker places), the order through `subscription_order_writer.write_order`
   (as getNow writes it), and the next order date moved on; or, after a decline, the
   attempt DECLINED, the reservations released and the retry scheduled (`dunning`).

A worker that dies between charge and commit leaves the attempt CHARGING. Once it is
older than `STALE_CLAIM`, the next run claims it again and charges with the same key:
the gateway answers with the first charge (no money taken twice) and the order is
placed once. A fresh CHARGING attempt is someone's charge in hand and is left alone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adapters.gateway import GatewayError
from domain.actors import Actor
from domain.schedule import shop_today
from domain.statuses import RenewalStatus, SubscriptionStatus
from models.address import PaymentMethod
from models.merchant import DiscountCode
from models.shop import SHOP_ID, Shop
from models.subscription import RenewalAttempt, Subscription
from plumbing.runtime import Runtime
from services.renewal_outcomes import Outcome, RenewalClaim, decline, place, skip_empty
from services.subscription_order_writer import order_lines, price_and_reserve
from services.subscription_pricing import price

WORKER = Actor.system("worker")
# A charge claimed this long ago without an outcome was left by a worker that died:
# far longer than any gateway call, short enough to place the order the same hour.
STALE_CLAIM = timedelta(minutes=10)
NO_CARD = "There is no payment method on file."


def renewal_key(subscription_id: int, cycle_date: date, attempt: int) -> str:
    return f"renewal:{subscription_id}:{cycle_date.isoformat()}:{attempt}"


def _due(today: date, fresh_since: datetime) -> tuple[Any, ...]:
    """Active subscriptions due today or earlier, except those with a charge in hand."""
    in_hand = select(col(RenewalAttempt.subscription_id)).where(
        col(RenewalAttempt.status) == RenewalStatus.CHARGING,
        col(RenewalAttempt.claimed_at) > fresh_since,
    )
    return (
        col(Subscription.status) == SubscriptionStatus.ACTIVE,
        col(Subscription.next_order_date) <= today,
        col(Subscription.id).not_in(in_hand),
    )


async def _latest(session: AsyncSession, sub_id: int) -> RenewalAttempt | None:
    # A statement of its own: under READ COMMITTED it sees an attempt another worker
    # committed after this batch's SELECT began.
    return await session.scalar(
        select(RenewalAttempt)
        .where(col(RenewalAttempt.subscription_id) == sub_id)
        .order_by(col(RenewalAttempt.id).desc())
        .limit(1)
    )


async def _cycle(session: AsyncSession, sub: Subscription, latest: RenewalAttempt | None) -> date:
    """The date this attempt is for: the declined cycle being retried, else the due date."""
    assert sub.next_order_date is not None
    retrying = (
        latest is not None
        and latest.status is RenewalStatus.DECLINED
        and latest.retry_on == sub.next_order_date
    )
    return latest.cycle_date if retrying and latest is not None else sub.next_order_date


async def _claim_one(
    rt: Runtime,
    session: AsyncSession,
    sub: Subscription,
    today: date,
    now: datetime,
    fresh_since: datetime,
) -> RenewalClaim | Outcome | None:
    assert sub.id is not None
    latest = await _latest(session, sub.id)
    if latest is not None and latest.status is RenewalStatus.CHARGING:
        if latest.claimed_at > fresh_since:
            return None  # another worker's charge in hand
        attempt = latest  # left by a worker that died: charge again with its key
        codes = list(
            (
                await session.scalars(
                    select(DiscountCode).where(col(DiscountCode.id).in_(attempt.code_ids))
                )
            ).all()
        )
        lines = await order_lines(session, sub.id)
        if not lines:
            return await skip_empty(rt, session, sub, today, now, WORKER)
        priced = price([item.line for item in lines], codes, now)
    else:
        lines = await order_lines(session, sub.id)
        if not lines:
            return await skip_empty(rt, session, sub, today, now, WORKER)
        cycle = await _cycle(session, sub, latest)
        tried = await session.scalar(
            select(func.max(RenewalAttempt.attempt)).where(
                col(RenewalAttempt.subscription_id) == sub.id,
                col(RenewalAttempt.cycle_date) == cycle,
            )
        )
        number = (tried or 0) + 1
        priced, codes = await price_and_reserve(session, lines, sub.customer_id, now)
        attempt = RenewalAttempt(
            subscription_id=sub.id,
            cycle_date=cycle,
            attempt=number,
            status=RenewalStatus.CHARGING,
            gateway_key=renewal_key(sub.id, cycle, number),
            amount=priced.total,
            code_ids=[code.id for code in codes if code.id is not None],
            claimed_at=now,
        )
        session.add(attempt)
        await session.flush()
    assert attempt.id is not None
    # Claimed now (again), so no other worker takes it while the charge is in hand.
    attempt.claimed_at = now
    card = None
    if sub.payment_method_id is not None:
        card = await session.get(PaymentMethod, sub.payment_method_id)
    prepaid = sub.is_prepaid and (sub.prepaid_cycles_remaining or 0) > 0
    return RenewalClaim(
        customer_id=sub.customer_id,
        subscription_id=sub.id,
        actor=WORKER,
        today=today,
        now=now,
        previous_early_order_on=sub.last_early_order_on,
        currency_code=sub.currency_code,
        # A card of another customer's is never charged (it cannot be set, but say so).
        card=card if card is not None and card.customer_id == sub.customer_id else None,  # type: ignore[arg-type]
        lines=lines,
        priced=priced,
        codes=codes,
        idempotency_key=None,
        attempt_id=attempt.id,
        cycle_date=attempt.cycle_date,
        attempt=attempt.attempt,
        renewal_key=attempt.gateway_key,
        prepaid=prepaid,
    )


async def claim_due(rt: Runtime, batch: int) -> list[RenewalClaim | Outcome]:
    """Step 1 for up to `batch` due subscriptions, in one transaction."""
    async with rt.db.transaction() as session:
        shop = await session.get(Shop, SHOP_ID)
        assert shop is not None
        now = rt.clock.now()
        today = shop_today(now, shop.time_zone)
        fresh_since = now - STALE_CLAIM
        subs = (
            await session.scalars(
                select(Subscription)
                .where(*_due(today, fresh_since))
                .order_by(col(Subscription.next_order_date), col(Subscription.id))
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
        ).all()
        claimed = [await _claim_one(rt, session, sub, today, now, fresh_since) for sub in subs]
    return [item for item in claimed if item is not None]


async def renew(rt: Runtime, claim: RenewalClaim) -> Outcome:
    """Steps 2 and 3 for one claimed attempt."""
    if claim.prepaid:
        return await place(rt, claim, None)
    if claim.card is None:  # type: ignore[comparison-overlap]
        return await decline(rt, claim, NO_CARD)
    try:
        charge = await rt.gateway.charge(
            claim.card.gateway_reference, claim.priced.total, claim.currency_code, claim.gateway_key
        )
    except GatewayError as error:
        return await decline(rt, claim, error.message)
    return await place(rt, claim, charge.id)


async def renew_due(rt: Runtime, batch: int) -> list[Outcome]:
    """One batch: claim, then charge and place each; the outcomes, one per subscription."""
    outcomes: list[Outcome] = []
    for item in await claim_due(rt, batch):
        outcomes.append(item if isinstance(item, Outcome) else await renew(rt, item))
    return outcomes


async def oldest_due_age(rt: Runtime) -> tuple[float | None, int]:
    """How long (seconds) the oldest due item has waited, and how many are due.

    Due items: renewals whose date has come and fixed pauses whose end has come; an
    item's wait starts at the beginning of its day in the shop's time zone.
    """
    async with rt.db.read() as session:
        shop = await session.get(Shop, SHOP_ID)
        assert shop is not None
        now = rt.clock.now()
        today = shop_today(now, shop.time_zone)
        renewals = (
            await session.execute(
                select(func.min(Subscription.next_order_date), func.count()).where(
                    col(Subscription.status) == SubscriptionStatus.ACTIVE,
                    col(Subscription.next_order_date) <= today,
                )
            )
        ).one()
        pauses = (
            await session.execute(
                select(func.min(Subscription.paused_until), func.count()).where(
                    col(Subscription.status) == SubscriptionStatus.PAUSED,
                    col(Subscription.paused_until) <= today,
                )
            )
        ).one()
    dates = [day for day in (renewals[0], pauses[0]) if day is not None]
    count = int(renewals[1]) + int(pauses[1])
    if not dates:
        return None, count
    since = datetime.combine(min(dates), time(), tzinfo=ZoneInfo(shop.time_zone))
    return max((now - since).total_seconds(), 0.0), count
