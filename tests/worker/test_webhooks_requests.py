"""Webhooks under racing workers, redelivery on request, endpoints' input, topics."""

from __future__ import annotations

import asyncio
import os
from collections import Counter

import pytest
from sqlalchemy import func, select

from adapters.clock import ManualClock
from app.worker import run_once
from domain.errors import ErrorCode, ServiceError
from domain.ids import global_id
from domain.statuses import WebhookDeliveryStatus
from domain.topics import DESCRIPTIONS, Topic
from models.webhooks import WebhookDelivery, WebhookEndpoint
from plumbing.runtime import Runtime
from services.profile import update_marketing_consent, update_profile
from services.webhook_endpoints import (
    create_endpoint,
    list_topics,
    redeliver_event,
    redeliver_failed,
    update_endpoint,
)
from tests import factories
from tests.worker.webhook_support import (
    attempts,
    deliveries,
    endpoint_for,
    event,
    events,
    receiving,
)

WORKERS = 4 if os.environ.get("TEST_DATABASE_URL") else 2
CUSTOMERS = 8
PER_CUSTOMER = 5


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    # Small batches, so racing workers take turns over many claims; one try per delivery.
    return {"worker_batch_size": 5, "webhook_max_attempts": 1}


async def test_racing_workers_deliver_each_event_to_each_endpoint_once_in_order(
    rt: Runtime,
) -> None:
    # given: two endpoints and 40 events of 8 customers, interleaved
    customers = [await factories.customer(rt) for _ in range(CUSTOMERS)]
    with receiving() as one, receiving() as two:
        await endpoint_for(rt, one)
        await endpoint_for(rt, two)
        written: dict[str, list[int]] = {}
        for n in range(PER_CUSTOMER):
            for who in customers:
                assert who.id is not None
                await event(rt, Topic.SUBSCRIPTION_SKIPPED, who.id, subscription_id=n)
                written.setdefault(global_id("Customer", who.id), []).append(n)

        # when: two workers (four on PostgreSQL) run at once
        await asyncio.gather(*(run_once(rt) for _ in range(WORKERS)))

    # then: each (event, endpoint) once, each customer's events in order at each endpoint
    for receiver in (one, two):
        assert receiver.refused == []
        assert len(receiver.received) == CUSTOMERS * PER_CUSTOMER
        assert Counter(r.webhook_id for r in receiver.received).most_common(1)[0][1] == 1
        for who, order in written.items():
            got = [
                r.data["subscription_id"] for r in receiver.received if r.data["customer_id"] == who
            ]
            assert got == [global_id("Subscription", n) for n in order]
    assert len(await attempts(rt)) == 2 * CUSTOMERS * PER_CUSTOMER
    assert all(e.delivered_at is not None for e in await events(rt))


async def test_redelivery_of_an_event_and_of_every_failed_one(
    rt: Runtime, clock: ManualClock
) -> None:
    # given: a receiver that fails the first event (given up after one try), then recovers
    ada = await factories.customer(rt)
    assert ada.id is not None
    with receiving() as receiver:
        endpoint_id = await endpoint_for(rt, receiver)
        receiver.script = [500]
        first = await event(rt, Topic.SUBSCRIPTION_PAUSED, ada.id, subscription_id=1)
        second = await event(rt, Topic.SUBSCRIPTION_UNPAUSED, ada.id, subscription_id=1)
        await run_once(rt)
        # a given-up delivery lets the customer's next event go
        assert [r.type for r in receiver.received] == [
            "subscription.paused",
            "subscription.unpaused",
        ]
        statuses = [d.status for d in await deliveries(rt)]
        assert statuses == [WebhookDeliveryStatus.FAILED, WebhookDeliveryStatus.DELIVERED]

        # when: every failed delivery of the endpoint is asked for again, and one event
        assert await redeliver_failed(rt, endpoint_id=endpoint_id) == 1
        await redeliver_event(rt, event_id=second, endpoint_id=endpoint_id)
        assert [e.delivered_at for e in await events(rt)] == [None, None]
        await run_once(rt)

    # then: both sent again, in the customer's order, with their first webhook-ids
    assert receiver.refused == []
    again = receiver.received[2:]
    assert [r.type for r in again] == ["subscription.paused", "subscription.unpaused"]
    assert [r.webhook_id for r in again] == [
        f"msg_{first}_{endpoint_id}",
        f"msg_{second}_{endpoint_id}",
    ]
    assert {d.status for d in await deliveries(rt)} == {WebhookDeliveryStatus.DELIVERED}
    assert all(e.delivered_at is not None for e in await events(rt))


async def test_redelivery_sends_an_old_event_to_a_new_endpoint(rt: Runtime) -> None:
    # given: an event delivered before the endpoint existed
    written = await event(rt, Topic.TICKET_CREATED, None, ticket_id=9)
    await run_once(rt)
    with receiving() as receiver:
        endpoint_id = await endpoint_for(rt, receiver)

        # when
        await redeliver_event(rt, event_id=written, endpoint_id=endpoint_id)
        await run_once(rt)

    # then
    assert [r.data for r in receiver.received] == [{"ticket_id": global_id("Ticket", 9)}]


async def _counts(rt: Runtime) -> tuple[int, int]:
    async with rt.db.read() as session:
        endpoints = await session.scalar(select(func.count()).select_from(WebhookEndpoint))
        planned = await session.scalar(select(func.count()).select_from(WebhookDelivery))
    return int(endpoints or 0), int(planned or 0)


async def test_redelivery_refusals_change_nothing(rt: Runtime) -> None:
    # given: an event, and a disabled endpoint
    written = await event(rt, Topic.TICKET_CREATED, None, ticket_id=9)
    endpoint = await create_endpoint(rt, url="https://hooks.example/a", topics=None)
    assert endpoint.id is not None
    await update_endpoint(rt, endpoint_id=endpoint.id, changes={"enabled": False})
    before = await _counts(rt)

    # when / then
    with pytest.raises(ServiceError) as missing:
        await redeliver_event(rt, event_id=written, endpoint_id=endpoint.id + 1)
    assert (missing.value.code, missing.value.field) == (ErrorCode.NOT_FOUND, ["endpointId"])
    with pytest.raises(ServiceError) as disabled:
        await redeliver_failed(rt, endpoint_id=endpoint.id)
    assert disabled.value.code is ErrorCode.NOT_ALLOWED_IN_STATE
    await update_endpoint(rt, endpoint_id=endpoint.id, changes={"enabled": True})
    with pytest.raises(ServiceError) as no_event:
        await redeliver_event(rt, event_id=written + 1, endpoint_id=endpoint.id)
    assert (no_event.value.code, no_event.value.field) == (ErrorCode.NOT_FOUND, ["eventId"])
    assert await _counts(rt) == before


async def test_an_endpoint_gets_a_standard_webhooks_secret(rt: Runtime) -> None:
    endpoint = await create_endpoint(
        rt, url=" https://hooks.example/in ", topics=["ticket.created"], description="ERP"
    )
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) == 6 + 44
    assert (endpoint.url, endpoint.topics, endpoint.enabled) == (
        "https://hooks.example/in",
        ["ticket.created"],
        True,
    )


async def test_bad_endpoint_input_is_refused_field_by_field_and_nothing_written(
    rt: Runtime,
) -> None:
    with pytest.raises(ServiceError) as refused:
        await create_endpoint(
            rt,
            url="ftp://files.example/x",
            topics=["ticket.created", "order.shipped"],
            description="x" * 501,
        )
    assert [(e.code, e.field) for e in refused.value.errors] == [
        (ErrorCode.INVALID, ["url"]),
        (ErrorCode.INVALID, ["topics", "1"]),
        (ErrorCode.INVALID, ["description"]),
    ]
    with pytest.raises(ServiceError) as empty:
        await create_endpoint(rt, url="https://hooks.example/", topics=[])
    assert [(e.code, e.field) for e in empty.value.errors] == [(ErrorCode.INVALID, ["topics"])]
    assert await _counts(rt) == (0, 0)


async def test_profile_changes_write_customer_updated(rt: Runtime) -> None:
    # given
    ada = await factories.customer(rt)
    assert ada.id is not None

    # when: a change, a no-op, and a consent change
    await update_profile(rt, customer_id=ada.id, changes={"first_name": "Adele"})
    await update_profile(rt, customer_id=ada.id, changes={"first_name": "Adele"})
    await update_marketing_consent(rt, customer_id=ada.id, changes={"email": True})

    # then: one event per real change, naming the fields
    written = [e for e in await events(rt) if e.topic is Topic.CUSTOMER_UPDATED]
    assert [(e.customer_id, e.payload) for e in written] == [
        (ada.id, {"customer_id": ada.id, "changed": ["first_name"]}),
        (ada.id, {"customer_id": ada.id, "changed": ["marketing_email"]}),
    ]


def test_every_topic_is_described_for_the_merchant() -> None:
    assert set(DESCRIPTIONS) == set(Topic)
    assert all(info.description.endswith(".") for info in list_topics())
