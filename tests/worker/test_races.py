"""Many workers, each cycle once; a worker that dies between charge and commit."""

from __future__ import annotations

import asyncio
import os
from datetime import date, timedelta

from sqlalchemy import func, select

from adapters.clock import ManualClock
from app.worker import run_once
from domain.statuses import RenewalStatus
from models.order import Order
from models.subscription import RenewalAttempt
from plumbing.runtime import Runtime
from services.renewal_outcomes import RenewalClaim
from services.renewals import claim_due, renew
from tests import factories
from tests.graphql.get_now_support import charges
from tests.worker.support import attempts_of, orders_of, reload

WORKERS = 4 if os.environ.get("TEST_DATABASE_URL") else 2
DUE = 200


async def _count(rt: Runtime, table: type) -> int:
    async with rt.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_racing_workers_place_each_due_order_once(rt: Runtime, clock: ManualClock) -> None:
    # given: 200 subscriptions due today, each with its own card
    coffee = await factories.product(rt)
    ids = []
    for _ in range(DUE):
        who = await factories.customer(rt)
        card = await factories.payment_method(rt, who)
        sub = await factories.subscription(
            rt,
            who,
            variants=coffee.variants,
            next_order_date=clock.now().date(),
            payment_method=card,
        )
        ids.append(sub.id)

    # when: two workers (four on PostgreSQL) run at once
    results = await asyncio.gather(*(run_once(rt) for _ in range(WORKERS)))

    # then: 200 orders, 200 charges, one successful attempt per subscription
    placed = [o for outcomes in results for o in outcomes if o.outcome == "order_placed"]
    # Each worker took a share (claims skip the rows another holds).
    assert all(outcomes for outcomes in results)
    assert len(placed) == DUE
    assert sorted(o.subscription_id for o in placed) == sorted(ids)
    assert await _count(rt, Order) == DUE
    assert len(charges(rt)) == DUE
    assert len({c.id for c in charges(rt)}) == DUE
    async with rt.db.read() as session:
        statuses = (await session.scalars(select(RenewalAttempt.status))).all()
    assert statuses == [RenewalStatus.SUCCEEDED] * DUE
    # and: nothing is left to do
    assert await run_once(rt) == []


async def test_a_worker_killed_between_charge_and_commit_charges_once_and_places_once(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: a due subscription; a worker claims it and charges, then dies before placing
    ada = await factories.customer(rt)
    card = await factories.payment_method(rt, ada)
    sub = await factories.subscription(
        rt, ada, next_order_date=date(2026, 11, 21), payment_method=card
    )
    assert sub.id is not None
    [claim] = await claim_due(rt, 10)
    assert isinstance(claim, RenewalClaim)
    first = await rt.gateway.charge(
        card.gateway_reference, claim.priced.total, "USD", claim.gateway_key
    )

    # when: another worker runs at once, then again once the claim is stale
    meanwhile = await run_once(rt)
    clock.advance(minutes=11)
    later = await run_once(rt)
    after = await run_once(rt)

    # then: the charge in hand was left alone; the next run placed the order once,
    # with the first charge (the gateway answered the same key with the same charge)
    assert meanwhile == []
    assert [o.outcome for o in later] == ["order_placed"]
    assert after == []
    [(order, _)] = await orders_of(rt, sub.id)
    [attempt] = await attempts_of(rt, sub.id)
    assert attempt.status is RenewalStatus.SUCCEEDED
    assert (attempt.charge_id, attempt.order_id) == (first.id, order.id)
    assert {c.id for c in charges(rt)} == {first.id}
    assert (await reload(rt, sub.id)).next_order_date == date(2026, 11, 21) + timedelta(days=30)


async def test_a_slow_worker_finishing_after_the_reconciling_one_writes_nothing(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: a worker claims a renewal and stalls past the stale delay; another reconciles it
    ada = await factories.customer(rt)
    card = await factories.payment_method(rt, ada)
    sub = await factories.subscription(
        rt, ada, next_order_date=date(2026, 11, 21), payment_method=card
    )
    assert sub.id is not None
    [slow] = await claim_due(rt, 10)
    assert isinstance(slow, RenewalClaim)
    clock.advance(minutes=11)
    [reconciled] = await run_once(rt)

    # when: the slow worker wakes up and finishes its job
    late = await renew(rt, slow)

    # then: the same charge, one order, and the late finish changed nothing
    assert (reconciled.outcome, late.outcome) == ("order_placed", "already_done")
    assert len(await orders_of(rt, sub.id)) == 1
    assert len({c.id for c in charges(rt)}) == 1
    [attempt] = await attempts_of(rt, sub.id)
    assert attempt.order_id == reconciled.order_id
