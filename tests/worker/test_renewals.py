"""Renewals: each due subscription's order placed, charged once, and its schedule moved on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import col

from adapters.clock import ManualClock
from app.worker import run_once
from domain.actors import Actor
from domain.statuses import RenewalStatus, SubscriptionStatus
from models.subscription import SkippedCycle
from plumbing.runtime import Runtime
from services.subscription_lifecycle import pause
from services.subscription_schedule import skip_orders
from tests import factories
from tests.graphql.get_now_support import apply_codes, charges
from tests.graphql.subscriptions_support import history, topics
from tests.worker.support import attempts_of, next_day, orders_of, reload

TODAY = date(2026, 11, 21)


async def test_a_due_subscription_renews_once_and_moves_to_its_next_date(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: a 14.00 monthly subscription due tomorrow, with a one-time add-on
    ada = await factories.customer(rt)
    card = await factories.payment_method(rt, ada)
    mug = await factories.product(rt, title="Mug", variants=[("Blue", "9.50", True)])
    sub = await factories.subscription(
        rt, ada, next_order_date=date(2026, 11, 22), payment_method=card, one_time=mug.variants
    )
    assert sub.id is not None

    # when: the worker runs tomorrow, then again the same day
    placed = await next_day(rt, clock)
    again = await run_once(rt)

    # then: one order of 23.50 charged with the cycle's key; the mug shipped once
    assert [(o.subscription_id, o.outcome) for o in placed] == [(sub.id, "order_placed")]
    assert again == []
    [(order, discounts)] = await orders_of(rt, sub.id)
    assert order.total == Decimal("23.50") and discounts == []
    assert order.shipping_address == sub.shipping_address
    [charge] = charges(rt)
    assert charge.amount == Decimal("23.50")
    [attempt] = await attempts_of(rt, sub.id)
    assert attempt.gateway_key == f"renewal:{sub.id}:2026-11-22:1"
    assert attempt.status is RenewalStatus.SUCCEEDED
    assert (attempt.charge_id, attempt.order_id) == (charge.id, order.id)
    row = await reload(rt, sub.id)
    assert row.next_order_date == date(2026, 12, 22)
    assert row.anchor_date == date(2026, 11, 22)
    assert [e.action for e in await history(rt, sub.id)] == ["renewal"]
    assert await topics(rt) == ["subscription.order_placed"]
    # The next add-on waits for an order of its own: the mug is gone from the lines.
    await next_day(rt, clock)
    assert len(await orders_of(rt, sub.id)) == 1


async def test_a_year_of_monthly_renewals_with_a_skip_a_pause_and_a_discount(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: 14.00 monthly from 2026-11-25, 10% off the first order only
    ada = await factories.customer(rt)
    card = await factories.payment_method(rt, ada)
    options = await factories.portal_options(rt)
    month = next(o for o in options.pause_options if o.days == 30)
    sub = await factories.subscription(
        rt, ada, next_order_date=date(2026, 11, 25), payment_method=card
    )
    assert sub.id is not None
    once = await factories.discount_code(rt, "FIRST10", value="10", recurring=False)
    await apply_codes(rt, sub, once)
    who = Actor.customer(ada.id or 0)

    # when: a year passes one day at a time, the worker running daily; the customer
    # skips February's order on 1 February and pauses for a month on 1 May
    for _ in range(365):
        await next_day(rt, clock)
        today = clock.now().date()
        if today == date(2027, 2, 1):
            await skip_orders(
                rt, customer_id=ada.id or 0, subscription_id=sub.id, cycles=1, actor=who
            )
        if today == date(2027, 5, 1):
            await pause(
                rt,
                customer_id=ada.id or 0,
                subscription_id=sub.id,
                pause_option_id=month.id,
                actor=who,
            )

    # then: every order on its date, the discount on the first only
    placed = [
        (order.placed_at.date(), order.total, [d.code for d in discounts])
        for order, discounts in await orders_of(rt, sub.id)
    ]
    full = Decimal("14.00")
    assert placed == [
        (date(2026, 11, 25), Decimal("12.60"), ["FIRST10"]),
        (date(2026, 12, 25), full, []),
        (date(2027, 1, 25), full, []),
        (date(2027, 3, 25), full, []),
        (date(2027, 4, 25), full, []),
        (date(2027, 6, 25), full, []),
        (date(2027, 7, 25), full, []),
        (date(2027, 8, 25), full, []),
        (date(2027, 9, 25), full, []),
        (date(2027, 10, 25), full, []),
    ]
    assert [c.amount for c in charges(rt)] == [total for _, total, _ in placed]
    assert [a.gateway_key for a in await attempts_of(rt, sub.id)] == [
        f"renewal:{sub.id}:{day.isoformat()}:1" for day, _, _ in placed
    ]
    row = await reload(rt, sub.id)
    assert (row.status, row.next_order_date) == (SubscriptionStatus.ACTIVE, date(2027, 11, 25))
    assert row.anchor_date == date(2026, 11, 25)
    # The skipped date was passed over, recorded, and its row used up.
    events = await history(rt, sub.id)
    passed = [e for e in events if e.action == "skipped_by_schedule"]
    assert [e.before for e in passed] == [{"order_date": "2027-02-25"}]
    async with rt.db.read() as session:
        assert (
            await session.scalars(
                select(SkippedCycle).where(col(SkippedCycle.subscription_id) == sub.id)
            )
        ).all() == []
    # The pause ended on its date, by the worker.
    ended = [e for e in events if e.action == "unpause"]
    assert [(e.actor, e.after["reason"], e.created_at.date()) for e in ended] == [
        ("system:worker", "pause_ended", date(2027, 5, 31))
    ]


async def test_prepaid_cycles_ship_without_a_charge_then_the_card_pays(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: two orders paid in advance, monthly from tomorrow
    ada = await factories.customer(rt)
    card = await factories.payment_method(rt, ada)
    sub = await factories.subscription(
        rt, ada, next_order_date=date(2026, 11, 22), payment_method=card, prepaid_cycles=2
    )
    assert sub.id is not None

    # when: three months pass
    for _ in range(62):
        await next_day(rt, clock)

    # then: two orders without a charge, the third charged; no longer prepaid after
    orders = await orders_of(rt, sub.id)
    assert [o.placed_at.date() for o, _ in orders] == [
        date(2026, 11, 22),
        date(2026, 12, 22),
        date(2027, 1, 22),
    ]
    attempts = await attempts_of(rt, sub.id)
    assert [a.charge_id is None for a in attempts] == [True, True, False]
    assert [c.amount for c in charges(rt)] == [Decimal("14.00")]
    row = await reload(rt, sub.id)
    assert (row.is_prepaid, row.prepaid_cycles_remaining) == (False, 0)
    remaining = [e.after.get("prepaid_cycles_remaining") for e in await history(rt, sub.id)]
    assert remaining == [1, 0, None]


async def test_a_paused_or_cancelled_subscription_is_not_renewed(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: an open-ended pause and a cancelled subscription, both with past dates
    ada = await factories.customer(rt)
    card = await factories.payment_method(rt, ada)
    paused = await factories.subscription(
        rt, ada, payment_method=card, status=SubscriptionStatus.PAUSED, next_order_date=TODAY
    )
    cancelled = await factories.subscription(
        rt, ada, payment_method=card, status=SubscriptionStatus.CANCELLED
    )

    # when
    outcomes = await next_day(rt, clock)

    # then
    assert outcomes == []
    assert await orders_of(rt, paused.id or 0) == []
    assert await orders_of(rt, cancelled.id or 0) == []
    assert charges(rt) == []
