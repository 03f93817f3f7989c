"""Declined renewals: retried on the dunning schedule, then past due, then recovered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import col

from adapters.clock import ManualClock
from domain.statuses import RenewalStatus, SubscriptionStatus
from models.address import PaymentMethod
from models.customer import Customer
from models.merchant import DiscountCode
from plumbing.runtime import Runtime
from tests import factories
from tests.graphql.get_now_support import GET_NOW, apply_codes, charges
from tests.graphql.subscriptions_support import history, sid, topics
from tests.support import GraphQLClient
from tests.worker.support import (
    DECLINING,
    attempts_of,
    next_day,
    orders_of,
    reload,
    set_card_reference,
    set_subscription,
)

ACTIONS = """
query($id: ID!) { node(id: $id) { ... on Subscription {
  status nextOrderDate actions { canUpdatePaymentMethod canGetNow canSkip canPause canCancel }
} } }
"""


async def _declining_subscription(rt: Runtime) -> tuple[int, Customer]:
    ada = await factories.customer(rt)
    card = await factories.payment_method(rt, ada)
    await set_card_reference(rt, card, DECLINING + "x")
    sub = await factories.subscription(
        rt, ada, next_order_date=date(2026, 11, 22), payment_method=card
    )
    assert sub.id is not None and ada.id is not None
    code = await factories.discount_code(rt, "EVERY10", value="10", recurring=True, usage_limit=5)
    await apply_codes(rt, sub, code)
    return sub.id, ada


async def _times_used(rt: Runtime) -> int:
    async with rt.db.read() as session:
        used = await session.scalar(
            select(DiscountCode.times_used).where(col(DiscountCode.code) == "EVERY10")
        )
    return int(used or 0)


async def test_a_declined_renewal_is_retried_after_1_3_and_7_days_then_past_due(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    # given: a subscription due 2026-11-22 whose card declines every charge
    sub_id, ada = await _declining_subscription(rt)

    # when: the worker runs every day for ten days
    outcomes = []
    for _ in range(10):
        outcomes += [(clock.now().date().isoformat(), o.outcome) for o in await next_day(rt, clock)]

    # then: four attempts of the 2026-11-22 cycle, on the schedule, then past due
    assert [o for _, o in outcomes] == ["declined", "declined", "declined", "past_due"]
    attempts = await attempts_of(rt, sub_id)
    assert [(a.attempt, a.claimed_at.date(), a.retry_on) for a in attempts] == [
        (1, date(2026, 11, 22), date(2026, 11, 23)),
        (2, date(2026, 11, 23), date(2026, 11, 25)),
        (3, date(2026, 11, 25), date(2026, 11, 29)),
        (4, date(2026, 11, 29), None),
    ]
    assert {a.cycle_date for a in attempts} == {date(2026, 11, 22)}
    assert {a.status for a in attempts} == {RenewalStatus.DECLINED}
    assert [a.gateway_key for a in attempts] == [
        f"renewal:{sub_id}:2026-11-22:{n}" for n in (1, 2, 3, 4)
    ]
    assert await orders_of(rt, sub_id) == [] and charges(rt) == []
    # Every reserved use of the code was given back.
    assert await _times_used(rt) == 0
    row = await reload(rt, sub_id)
    assert (row.status, row.next_order_date) == (SubscriptionStatus.PAST_DUE, None)
    assert await topics(rt) == ["subscription.payment_declined"] * 3 + ["subscription.past_due"]
    assert [e.action for e in await history(rt, sub_id)] == ["payment_declined"] * 4

    # and: the portal offers a new card and an order now, not a skip or a pause
    token = await factories.login(rt, ada)
    page = (await gql.data(ACTIONS, {"id": sid(sub_id)}, token=token))["node"]
    assert page["status"] == "PAST_DUE" and page["nextOrderDate"] is None
    assert page["actions"] == {
        "canUpdatePaymentMethod": True,
        "canGetNow": True,
        "canSkip": False,
        "canPause": False,
        "canCancel": True,
    }


async def test_a_past_due_subscription_recovers_with_a_new_card_and_get_now(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    # given: past due after every retry
    sub_id, ada = await _declining_subscription(rt)
    for _ in range(8):
        await next_day(rt, clock)
    assert (await reload(rt, sub_id)).status is SubscriptionStatus.PAST_DUE
    token = await factories.login(rt, ada)

    # when: the customer's new card is put on it, and they order now
    new_card = await factories.payment_method(rt, ada, last4="4444")
    await set_subscription(rt, sub_id, payment_method_id=new_card.id)
    data = await gql.data(GET_NOW, {"input": {"subscriptionId": sid(sub_id)}}, token=token)

    # then: the order is charged to the new card and the subscription is active again
    got = data["getNow"]
    assert got["userErrors"] == []
    assert got["order"]["summary"]["total"]["amount"] == "12.60"
    assert got["order"]["paymentMethod"]["last4"] == "4444"
    assert got["subscription"]["status"] == "ACTIVE"
    assert got["subscription"]["nextOrderDate"] == "2026-12-29"
    assert [c.amount for c in charges(rt)] == [Decimal("12.60")]
    # and: the worker renews it on its new date with the new card
    for _ in range(30):
        await next_day(rt, clock)
    orders = await orders_of(rt, sub_id)
    assert [o.placed_at.date() for o, _ in orders] == [date(2026, 11, 29), date(2026, 12, 29)]
    assert (await reload(rt, sub_id)).status is SubscriptionStatus.ACTIVE


async def test_the_merchants_dunning_schedule_overrides_the_default(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: the merchant retries once, two days on
    await factories.set_flags(rt, dunning_schedule="2")
    sub_id, _ = await _declining_subscription(rt)

    # when
    for _ in range(5):
        await next_day(rt, clock)

    # then
    attempts = await attempts_of(rt, sub_id)
    assert [(a.claimed_at.date(), a.retry_on) for a in attempts] == [
        (date(2026, 11, 22), date(2026, 11, 24)),
        (date(2026, 11, 24), None),
    ]
    assert (await reload(rt, sub_id)).status is SubscriptionStatus.PAST_DUE


async def test_a_retry_that_goes_through_places_the_order_and_keeps_the_schedule(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: declined on 2026-11-22, the card is fixed before the first retry
    sub_id, _ = await _declining_subscription(rt)
    await next_day(rt, clock)
    row = await reload(rt, sub_id)
    assert row.next_order_date == date(2026, 11, 23)
    async with rt.db.read() as session:
        card = await session.get(PaymentMethod, row.payment_method_id)
    assert card is not None
    await set_card_reference(rt, card, "card_test_fixed")

    # when
    outcomes = await next_day(rt, clock)

    # then: the 2026-11-22 cycle's second attempt is charged; the schedule keeps its anchor
    assert [o.outcome for o in outcomes] == ["order_placed"]
    [first, second] = await attempts_of(rt, sub_id)
    assert (first.status, second.status) == (RenewalStatus.DECLINED, RenewalStatus.SUCCEEDED)
    assert second.gateway_key == f"renewal:{sub_id}:2026-11-22:2"
    row = await reload(rt, sub_id)
    assert (row.status, row.next_order_date) == (SubscriptionStatus.ACTIVE, date(2026, 12, 22))
    assert await _times_used(rt) == 1
