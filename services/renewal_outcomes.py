"""What becomes of a claimed renewal attempt: its order placed, or its decline recorded.

Each outcome is one transaction that first moves the attempt out of CHARGING with a
conditional UPDATE, so of two workers finishing the same attempt (one of them
reconciling the other's) only one writes anything.

Rules chosen here (docs/architecture.md, "The worker"):
- The schedule keeps its anchor: the next order is the schedule's first date after
  the cycle (or after today, when the worker runs late or a retry succeeded later),
  passing over skipped dates. Each skipped date passed over gets a history entry
  ("skipped_by_schedule") and its SkippedCycle row is deleted: it has been used.
- A prepaid cycle is placed without a charge and counts down
  `prepaid_cycles_remaining`; when none remain the subscription carries on as a
  regular paid one (its next renewal is charged to the stored card).
- A decline schedules the next attempt of the same cycle `DUNNING_SCHEDULE` days
  after the cycle date (the merchant's `dunning_schedule` overrides it), by moving
  the next order date to that day; after the last retry the subscription is
  PAST_DUE, with no next order date, until the customer orders with getNow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from config import parse_dunning_schedule
from domain.actors import Actor
from domain.statuses import RenewalStatus, SubscriptionStatus
from domain.topics import Topic
from models.shop import SHOP_ID, CustomerAccountSettings, Shop
from models.subscription import RenewalAttempt, SkippedCycle, Subscription, SubscriptionEvent
from plumbing.runtime import Runtime
from services.subscription_order_writer import Claim, release_codes, write_order
from services.subscriptions import Change, finish_change, first_unskipped, lock_owned

log = logging.getLogger("renewals")


@dataclass
class RenewalClaim(Claim):
    """A claimed renewal attempt: the order to place and the key its charge uses."""

    attempt_id: int
    cycle_date: date
    attempt: int
    renewal_key: str
    prepaid: bool

    @property
    def gateway_key(self) -> str:
        return self.renewal_key


@dataclass(frozen=True)
class Outcome:
    """One renewal job's result, as the worker logs it."""

    job_id: str
    subscription_id: int
    # order_placed, declined, past_due, nothing_to_order, or already_done
    outcome: str
    order_id: int | None = None
    retry_on: date | None = None


def dunning_days(rt: Runtime, settings: CustomerAccountSettings) -> tuple[int, ...]:
    """The merchant's retry days when set and valid, else DUNNING_SCHEDULE's."""
    if settings.dunning_schedule is not None:
        try:
            return parse_dunning_schedule(settings.dunning_schedule)
        except ValueError:
            log.warning("invalid merchant dunning_schedule %r", settings.dunning_schedule)
    return parse_dunning_schedule(rt.settings.dunning_schedule)


async def _open(
    rt: Runtime, session: AsyncSession, claim: RenewalClaim, status: RenewalStatus, **values: Any
) -> Change | None:
    """Move the attempt out of CHARGING; None when another worker already did."""
    moved = await session.execute(
        update(RenewalAttempt)
        .where(
            col(RenewalAttempt.id) == claim.attempt_id,
            col(RenewalAttempt.status) == RenewalStatus.CHARGING,
        )
        .values(status=status, finished_at=claim.now, **values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return None
    sub = await lock_owned(
        session, customer_id=claim.customer_id, subscription_id=claim.subscription_id
    )
    settings = await session.get(CustomerAccountSettings, SHOP_ID)
    shop = await session.get(Shop, SHOP_ID)
    assert settings is not None and shop is not None
    return Change(session, rt, sub, settings, shop, claim.today, claim.now, claim.actor)


def _state(sub: Subscription) -> dict[str, Any]:
    return {
        "status": sub.status.value,
        "next_order_date": sub.next_order_date.isoformat() if sub.next_order_date else None,
    }


async def _move_on(ch: Change, after_day: date) -> list[str]:
    """The next order date: the schedule's first unskipped date after `after_day`.

    Returns the skipped dates passed over, each recorded and its row deleted.
    """
    sub = ch.sub
    assert sub.id is not None
    skipped = await ch.skipped_dates()
    sub.next_order_date = first_unskipped(sub, skipped, after_day + timedelta(days=1))
    passed = sorted(day for day in skipped if day < sub.next_order_date)
    for day in passed:
        ch.session.add(
            SubscriptionEvent(
                subscription_id=sub.id,
                actor=ch.actor.key,
                action="skipped_by_schedule",
                before={"order_date": day.isoformat()},
                after={"next_order_date": sub.next_order_date.isoformat()},
                created_at=ch.now,
            )
        )
    if passed:
        await ch.session.execute(
            SkippedCycle.__table__.delete().where(  # type: ignore[attr-defined]
                col(SkippedCycle.subscription_id) == sub.id,
                col(SkippedCycle.order_date).in_(passed),
            )
        )
    return [day.isoformat() for day in passed]


async def place(rt: Runtime, claim: RenewalClaim, charge_id: str | None) -> Outcome:
    """Step 3 after a charge (or a prepaid cycle): the order, and the schedule moved on."""
    async with rt.db.transaction() as session:
        ch = await _open(rt, session, claim, RenewalStatus.SUCCEEDED, charge_id=charge_id)
        if ch is None:
            return Outcome(claim.renewal_key, claim.subscription_id, "already_done")
        sub = ch.sub
        assert sub.id is not None
        before = _state(sub)
        order, written = await write_order(session, claim, sub.id, sub.shipping_address)
        await session.execute(
            update(RenewalAttempt)
            .where(col(RenewalAttempt.id) == claim.attempt_id)
            .values(order_id=order.id)
            .execution_options(synchronize_session=False)
        )
        after: dict[str, Any] = {
            **written,
            "charge_id": charge_id,
            "cycle_date": claim.cycle_date.isoformat(),
            "attempt": claim.attempt,
        }
        if claim.prepaid:
            sub.prepaid_cycles_remaining = max((sub.prepaid_cycles_remaining or 0) - 1, 0)
            if sub.prepaid_cycles_remaining == 0:
                sub.is_prepaid = False  # paid by the card from the next renewal on
            after["prepaid_cycles_remaining"] = sub.prepaid_cycles_remaining
        # Paused or cancelled while the card was charged: the order stands, the schedule too.
        if sub.status is SubscriptionStatus.ACTIVE:
            passed = await _move_on(ch, max(claim.cycle_date, claim.today))
            if passed:
                after["skipped_by_schedule"] = passed
        after.update(_state(sub))
        await finish_change(
            ch, action="renewal", topic=Topic.SUBSCRIPTION_ORDER_PLACED, before=before, after=after
        )
        assert order.id is not None
        return Outcome(claim.renewal_key, sub.id, "order_placed", order_id=order.id)


async def decline(rt: Runtime, claim: RenewalClaim, message: str) -> Outcome:
    """Step 3 after a decline: reservations released, a retry scheduled or PAST_DUE."""
    async with rt.db.transaction() as session:
        ch = await _open(rt, session, claim, RenewalStatus.DECLINED, decline_message=message[:500])
        if ch is None:
            return Outcome(claim.renewal_key, claim.subscription_id, "already_done")
        await release_codes(session, [c.id for c in claim.codes if c.id is not None])
        sub = ch.sub
        assert sub.id is not None
        before = _state(sub)
        days = dunning_days(rt, ch.settings)
        after: dict[str, Any] = {
            "cycle_date": claim.cycle_date.isoformat(),
            "attempt": claim.attempt,
            "message": message,
        }
        retry_on = None
        topic = Topic.SUBSCRIPTION_PAYMENT_DECLINED
        if sub.status is SubscriptionStatus.ACTIVE:
            if claim.attempt <= len(days):
                retry_on = max(
                    claim.cycle_date + timedelta(days=days[claim.attempt - 1]),
                    claim.today + timedelta(days=1),
                )
                sub.next_order_date = retry_on
                after["retry_on"] = retry_on.isoformat()
                await session.execute(
                    update(RenewalAttempt)
                    .where(col(RenewalAttempt.id) == claim.attempt_id)
                    .values(retry_on=retry_on)
                    .execution_options(synchronize_session=False)
                )
            else:
                sub.status = SubscriptionStatus.PAST_DUE
                sub.next_order_date = None
                topic = Topic.SUBSCRIPTION_PAST_DUE
        after.update(_state(sub))
        await finish_change(ch, action="payment_declined", topic=topic, before=before, after=after)
        outcome = "past_due" if topic is Topic.SUBSCRIPTION_PAST_DUE else "declined"
        return Outcome(claim.renewal_key, sub.id, outcome, retry_on=retry_on)


async def skip_empty(
    rt: Runtime, session: AsyncSession, sub: Subscription, today: date, now: datetime, actor: Actor
) -> Outcome:
    """A due subscription with no lines: no order, the schedule moves on (in the claim's
    transaction), so it is not claimed again on every pass."""
    assert sub.id is not None
    settings = await session.get(CustomerAccountSettings, SHOP_ID)
    shop = await session.get(Shop, SHOP_ID)
    assert settings is not None and shop is not None
    ch = Change(session, rt, sub, settings, shop, today, now, actor)
    before = _state(sub)
    await _move_on(ch, max(sub.next_order_date or today, today))
    await finish_change(
        ch,
        action="renewal",
        topic=Topic.SUBSCRIPTION_SKIPPED,
        before=before,
        after={**_state(sub), "reason": "nothing_to_order"},
    )
    return Outcome(f"renewal:{sub.id}", sub.id, "nothing_to_order")
