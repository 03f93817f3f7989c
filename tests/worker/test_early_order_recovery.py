"""getNow requests that died between their claim (or charge) and their commit, recovered.

The request is cut short by calling its first step alone (`_claim`), as a process
killed after it would leave things; the worker then finishes the claim.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import col

from adapters.clock import ManualClock
from app.worker import check, run_once
from domain.actors import Actor
from domain.statuses import RenewalStatus
from domain.topics import Topic
from models.merchant import DiscountCode
from models.subscription import EarlyOrder, Subscription
from plumbing import outbox
from plumbing.runtime import Runtime
from services.early_orders import EarlyOrderClaim, place
from services.subscription_orders import _claim
from tests import factories
from tests.graphql.get_now_support import GET_NOW, apply_codes, charges, usage
from tests.graphql.subscriptions_support import sid
from tests.support import GraphQLClient
from tests.worker.support import DECLINING, orders_of, reload, set_card_reference

KEY = "tap-1"


async def _subscription(rt: Runtime, *, declining: bool = False) -> tuple[Subscription, str]:
    ada = await factories.customer(rt)
    card = await factories.payment_method(rt, ada)
    if declining:
        await set_card_reference(rt, card, DECLINING + "x")
    sub = await factories.subscription(
        rt, ada, next_order_date=date(2026, 12, 10), payment_method=card
    )
    code = await factories.discount_code(rt, "ONCE5", value="5", usage_limit=10)
    await apply_codes(rt, sub, code)
    return sub, await factories.login(rt, ada)


async def _claimed(rt: Runtime, sub: Subscription) -> EarlyOrderClaim:
    """getNow's first step, as a request that dies right after it leaves it."""
    assert sub.id is not None
    claim = await _claim(
        rt,
        customer_id=sub.customer_id,
        subscription_id=sub.id,
        actor=Actor.customer(sub.customer_id),
        idempotency_key=KEY,
        request={"subscription_id": sub.id},
    )
    assert isinstance(claim, EarlyOrderClaim)
    return claim


async def _early_orders(rt: Runtime) -> list[EarlyOrder]:
    async with rt.db.read() as session:
        return list((await session.scalars(select(EarlyOrder).order_by(EarlyOrder.id))).all())


async def _times_used(rt: Runtime) -> int:
    async with rt.db.read() as session:
        used = await session.scalar(
            select(DiscountCode.times_used).where(col(DiscountCode.code) == "ONCE5")
        )
    return int(used or 0)


async def test_a_request_killed_between_charge_and_commit_is_placed_once_by_the_worker(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    # given: getNow claimed and charged, then its process died before placing the order
    sub, token = await _subscription(rt)
    assert sub.id is not None
    asked_at = clock.now()
    claim = await _claimed(rt, sub)
    first = await rt.gateway.charge(
        claim.card.gateway_reference, claim.priced.total, "USD", claim.gateway_key
    )
    variables = {"input": {"subscriptionId": sid(sub)}}
    replay = await gql.data(GET_NOW, variables, token=token, headers={"Idempotency-Key": KEY})
    assert replay["getNow"]["userErrors"][0]["code"] == "NOT_ALLOWED_IN_STATE"

    # when: a worker runs at once (the charge may still be in hand), then past the delay
    await run_once(rt)
    left_alone = await _early_orders(rt)
    clock.advance(minutes=11)
    await run_once(rt)
    await run_once(rt)

    # then: one order, dated when the customer asked, paid by the first charge
    assert [row.status for row in left_alone] == [RenewalStatus.CHARGING]
    [(order, discounts)] = await orders_of(rt, sub.id)
    assert order.placed_at == asked_at
    assert [d.code for d in discounts] == ["ONCE5"]
    assert {c.id for c in charges(rt)} == {first.id}
    [row] = await _early_orders(rt)
    assert (row.status, row.charge_id, row.order_id) == (
        RenewalStatus.SUCCEEDED,
        first.id,
        order.id,
    )
    assert await _times_used(rt) == 1
    # and: the schedule restarted from the day of the request
    assert (await reload(rt, sub.id)).next_order_date == asked_at.date() + timedelta(days=30)
    # and: the customer's replay of the key now answers with that order
    again = await gql.data(GET_NOW, variables, token=token, headers={"Idempotency-Key": KEY})
    assert again["getNow"]["userErrors"] == []
    assert again["getNow"]["order"]["number"] == order.number


async def test_a_request_killed_before_its_charge_is_charged_once_by_the_worker(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: getNow claimed, and died before calling the gateway
    sub, _ = await _subscription(rt)
    assert sub.id is not None
    claim = await _claimed(rt, sub)

    # when
    clock.advance(minutes=11)
    await run_once(rt)

    # then: charged once with the claim's key, the order placed
    [(order, _)] = await orders_of(rt, sub.id)
    [charge] = charges(rt)
    assert charge.amount == claim.priced.total == order.total
    [row] = await _early_orders(rt)
    assert row.gateway_key == claim.gateway_key and row.order_id == order.id


async def test_a_claim_whose_card_declines_is_released_by_the_worker(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: a dead request's claim on a card that declines
    sub, _ = await _subscription(rt, declining=True)
    assert sub.id is not None
    before = await usage(rt)
    await _claimed(rt, sub)
    assert await _times_used(rt) == 1

    # when
    clock.advance(minutes=11)
    await run_once(rt)

    # then: the claim undone (code use, key, the day's early order), the decline recorded
    assert await orders_of(rt, sub.id) == []
    assert await usage(rt) == before
    assert (await reload(rt, sub.id)).last_early_order_on is None
    [row] = await _early_orders(rt)
    assert row.status is RenewalStatus.DECLINED
    assert row.decline_message == "The card was declined. Try another card."


async def test_a_request_finishing_after_the_worker_recovered_it_writes_nothing(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: a request stalled past the delay; the worker recovered its claim
    sub, _ = await _subscription(rt)
    assert sub.id is not None
    claim = await _claimed(rt, sub)
    charge = await rt.gateway.charge(
        claim.card.gateway_reference, claim.priced.total, "USD", claim.gateway_key
    )
    clock.advance(minutes=11)
    await run_once(rt)

    # when: the stalled request wakes up and places its order
    late = await place(rt, claim, charge.id)

    # then: it finds the claim finished and writes nothing more
    assert late is None
    assert len(await orders_of(rt, sub.id)) == 1
    assert await _times_used(rt) == 1


async def test_check_counts_stale_claims_and_events_waiting_for_notification(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: a claim left by a dead request, then an event nobody has looked at yet
    sub, _ = await _subscription(rt)
    await _claimed(rt, sub)
    clock.advance(minutes=30)
    async with rt.db.transaction() as session:
        outbox.record(
            session,
            topic=Topic.TICKET_CLOSED,
            actor=Actor.customer(sub.customer_id),
            customer_id=sub.customer_id,
            payload={"ticket_id": 1},
            now=clock.now(),
        )

    # when: two hours after the claim, before any worker ran
    clock.advance(minutes=90)
    report, healthy = await check(rt)

    # then: all are due (the event also waits to be planned for webhooks); the stale
    # claim has waited since its recovery delay ended
    assert report["due_by_job"] == {
        "renewals_and_pauses": 0,
        "early_orders": 1,
        "notifications": 1,
        "webhooks": 1,
    }
    assert report["due"] == 3
    assert report["oldest_due_age_seconds"] == 2 * 3_600 - 10 * 60
    assert healthy is False
    await run_once(rt)
    report, healthy = await check(rt)
    assert report["due"] == 0 and healthy is True
