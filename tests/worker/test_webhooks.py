"""Webhooks from the outbox to a real receiver: signed, once each, in order per customer,
topics filtered, retried with backoff, an endpoint failing too long disabled."""

from __future__ import annotations

import logging

import pytest

from adapters.clock import ManualClock
from app.worker import check, run_once
from domain.ids import global_id
from domain.statuses import WebhookDeliveryStatus
from domain.topics import Topic
from plumbing.runtime import Runtime
from services.webhook_delivery import claim_deliveries, deliver, plan_events
from tests import factories
from tests.webhook_receiver import TIMEOUT
from tests.worker.webhook_support import (
    attempts,
    deliveries,
    endpoint,
    endpoint_for,
    event,
    events,
    receiving,
)


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {
        "webhook_timeout": 0.5,
        "webhook_retry_base": 60,
        "webhook_disable_after": 3_600,
    }


async def test_events_arrive_signed_once_each_in_order_per_customer_and_filtered(
    rt: Runtime,
) -> None:
    # given: an endpoint for every topic, one for tickets only, and events of two customers
    ada = await factories.customer(rt)
    bob = await factories.customer(rt)
    with receiving() as everything, receiving() as tickets:
        await endpoint_for(rt, everything)
        await endpoint_for(rt, tickets, topics=["ticket.created"])
        written = [
            await event(rt, Topic.SUBSCRIPTION_PAUSED, ada.id, subscription_id=7),
            await event(rt, Topic.TICKET_CREATED, bob.id, ticket_id=3, number="T-3"),
            await event(rt, Topic.SUBSCRIPTION_SKIPPED, ada.id, subscription_id=7),
            await event(rt, Topic.SUBSCRIPTION_UNPAUSED, bob.id, subscription_id=8),
            await event(rt, Topic.TICKET_CREATED, ada.id, ticket_id=4, number="T-4"),
        ]

        # when: the worker runs, twice
        await run_once(rt)
        await run_once(rt)

    # then: every request verified; each event once, each customer's in the order written
    # (customers are sent side by side, so only per customer is the order kept)
    assert everything.refused == tickets.refused == []
    assert len(everything.received) == 5
    assert len({r.webhook_id for r in everything.received}) == 5
    per_customer = {
        who: [r.type for r in everything.received if r.data["customer_id"] == who]
        for who in (global_id("Customer", ada.id), global_id("Customer", bob.id))  # type: ignore[arg-type]
    }
    assert list(per_customer.values()) == [
        ["subscription.paused", "subscription.skipped", "ticket.created"],
        ["ticket.created", "subscription.unpaused"],
    ]
    # and: only the topics asked for
    assert sorted(r.data["ticket_id"] for r in tickets.received) == sorted(
        [
            global_id("Ticket", 3),
            global_id("Ticket", 4),
        ]
    )
    # and: ids are the customer API's global IDs
    [first] = [r for r in everything.received if r.webhook_id == f"msg_{written[0]}_1"]
    assert first.data == {
        "subscription_id": global_id("Subscription", 7),
        "customer_id": global_id("Customer", ada.id),  # type: ignore[arg-type]
    }
    assert first.body["timestamp"] == "2026-11-21T15:00:00Z"
    # and: every event delivered, every attempt logged
    assert all(e.delivered_at is not None for e in await events(rt))
    logged = await attempts(rt)
    assert [(a.status_code, a.attempt, a.error) for a in logged] == [(200, 1, None)] * 7
    assert all(a.response_excerpt == '{"ok": true}' for a in logged)


async def test_an_event_nobody_wants_is_delivered_at_once(rt: Runtime) -> None:
    # given: an endpoint for tickets only, and an event of another topic
    with receiving() as tickets:
        await endpoint_for(rt, tickets, topics=["ticket.created"])
        await event(rt, Topic.SUBSCRIPTION_PAUSED, None, subscription_id=7)

        # when
        await run_once(rt)

    # then
    assert tickets.received == []
    assert await deliveries(rt) == []
    [written] = await events(rt)
    assert written.delivered_at == rt.clock.now()


async def test_a_failing_receiver_gets_retries_with_backoff_then_everything_in_order(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: a receiver failing twice with 500, then not answering, then recovering
    ada = await factories.customer(rt)
    with receiving() as receiver:
        endpoint_id = await endpoint_for(rt, receiver)
        receiver.script = [500, 500, TIMEOUT]
        first = await event(rt, Topic.SUBSCRIPTION_PAUSED, ada.id, subscription_id=1)
        await event(rt, Topic.SUBSCRIPTION_SKIPPED, ada.id, subscription_id=1)
        await event(rt, Topic.SUBSCRIPTION_UNPAUSED, ada.id, subscription_id=1)

        # when: the first attempt fails, the customer's later events wait behind it
        await run_once(rt)
        assert [r.type for r in receiver.received] == ["subscription.paused"]
        # and: the retry is not due before half the first delay (jitter is the upper half)
        clock.advance(seconds=29)
        await run_once(rt)
        assert len(receiver.received) == 1
        # and: each retry comes after a doubled delay: 60 s, then 120 s, then 240 s at most
        for wait in (60, 120, 240):
            clock.advance(seconds=wait)
            await run_once(rt)

    # then: four tries of the first event, then the others, in order, each verified
    assert receiver.refused == []
    assert [r.type for r in receiver.received] == [
        "subscription.paused",
        "subscription.paused",
        "subscription.paused",
        "subscription.paused",
        "subscription.skipped",
        "subscription.unpaused",
    ]
    # the same webhook-id on every try of the first event
    assert {r.webhook_id for r in receiver.received[:4]} == {f"msg_{first}_{endpoint_id}"}
    logged = await attempts(rt)
    assert [(a.event_id, a.attempt, a.status_code) for a in logged[:4]] == [
        (first, 1, 500),
        (first, 2, 500),
        (first, 3, None),
        (first, 4, 200),
    ]
    assert logged[0].error == "HTTP 500" and logged[0].response_excerpt == "receiver trouble"
    assert logged[2].error is not None and "no answer within 0.5 s" in logged[2].error
    assert logged[2].duration_ms >= 400
    assert all(e.delivered_at is not None for e in await events(rt))
    # the endpoint's failure streak ended with the success
    assert (await endpoint(rt, endpoint_id)).failing_since is None


async def test_an_endpoint_failing_past_the_limit_is_disabled_and_the_merchant_told(
    rt: Runtime, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    # given: a receiver that always fails, and a healthy one watching for disabled endpoints
    with receiving() as broken, receiving() as watcher:
        broken.status = 503
        broken_id = await endpoint_for(rt, broken)
        await endpoint_for(rt, watcher, topics=["webhook_endpoint.disabled"])
        failing = await event(rt, Topic.SUBSCRIPTION_PAUSED, None, subscription_id=1)
        await run_once(rt)
        started = clock.now()

        # when: it still fails past WEBHOOK_DISABLE_AFTER (an hour here)
        clock.advance(minutes=30)
        await run_once(rt)
        assert (await endpoint(rt, broken_id)).enabled
        clock.advance(minutes=31)
        with caplog.at_level(logging.WARNING, logger="worker"):
            await run_once(rt)
        disabled_at = clock.now()
        later = await event(rt, Topic.SUBSCRIPTION_SKIPPED, None, subscription_id=1)
        clock.advance(hours=1)
        await run_once(rt)

    # then: disabled, its pending delivery given up, and nothing more sent to it
    disabled = await endpoint(rt, broken_id)
    assert disabled.enabled is False
    assert (disabled.failing_since, disabled.disabled_at) == (started, disabled_at)
    assert len(broken.received) == 3
    by_event = {d.event_id: d for d in await deliveries(rt) if d.endpoint_id == broken_id}
    assert by_event[failing].status is WebhookDeliveryStatus.FAILED
    assert later not in by_event
    # and: the event was written and delivered to the watcher
    [told] = [e for e in await events(rt) if e.topic is Topic.WEBHOOK_ENDPOINT_DISABLED]
    assert told.payload["endpoint_id"] == broken_id
    assert told.payload["url"] == broken.url
    assert [r.type for r in watcher.received] == ["webhook_endpoint.disabled"]
    # and: a log line
    assert any(
        "webhook endpoint" in r.getMessage() and "disabled" in r.getMessage()
        for r in caplog.records
    )
    # and: every event has every delivery it will get
    assert all(e.delivered_at is not None for e in await events(rt))


async def test_a_worker_dying_mid_delivery_leaves_it_to_the_next_after_its_lease(
    rt: Runtime, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    # given: a worker planned and claimed a delivery, then died before sending it
    ada = await factories.customer(rt)
    with receiving() as receiver:
        await endpoint_for(rt, receiver)
        written = await event(rt, Topic.SUBSCRIPTION_PAUSED, ada.id, subscription_id=1)
        await plan_events(rt, 10)
        [claimed] = await claim_deliveries(rt, 10)
        report, _ = await check(rt)
        assert report["due_by_job"]["webhooks"] == 1

        # when: another worker runs while the lease holds, then after it
        await run_once(rt)
        held = list(receiver.received)
        clock.advance(seconds=rt.settings.webhook_lease)
        with caplog.at_level(logging.INFO, logger="worker"):
            await run_once(rt)
        # and: the dead worker wakes up and tries to send
        late = await deliver(rt, claimed)

    # then: sent once, by the second pass, as its second attempt
    assert held == []
    assert [r.webhook_id for r in receiver.received] == [f"msg_{written}_1"]
    assert late.outcome == "lease_expired"
    [attempt] = await attempts(rt)
    assert (attempt.attempt, attempt.status_code) == (2, 200)
    # and: one JSON line for the delivery
    [line] = [r for r in caplog.records if getattr(r, "job", None) == "webhook"]
    assert (line.outcome, line.topic, line.status_code) == (  # type: ignore[attr-defined]
        "delivered",
        "subscription.paused",
        200,
    )
    assert (await check(rt))[0]["due_by_job"]["webhooks"] == 0
