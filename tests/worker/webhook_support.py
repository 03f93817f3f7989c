"""Shared by the webhook tests: receivers, events in the outbox, what was logged."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlmodel import col

from domain.actors import Actor
from domain.topics import Topic
from models.events import OutboxEvent
from models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from plumbing import outbox
from plumbing.runtime import Runtime
from services.webhook_endpoints import create_endpoint
from tests.webhook_receiver import WebhookReceiver


@contextmanager
def receiving() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


async def endpoint_for(
    rt: Runtime, receiver: WebhookReceiver, topics: list[str] | None = None
) -> int:
    """A registered endpoint posting to `receiver`, which learns its secret."""
    endpoint = await create_endpoint(rt, url=receiver.url, topics=topics)
    receiver.secret = endpoint.secret
    assert endpoint.id is not None
    return endpoint.id


async def event(rt: Runtime, topic: Topic, customer_id: int | None, **payload: object) -> int:
    async with rt.db.transaction() as session:
        written = outbox.record(
            session,
            topic=topic,
            actor=Actor.system("test"),
            customer_id=customer_id,
            payload=dict(payload),
            now=rt.clock.now(),
        )
        await session.flush()
        assert written.id is not None
        return written.id


async def events(rt: Runtime) -> list[OutboxEvent]:
    async with rt.db.read() as session:
        return list(await session.scalars(select(OutboxEvent).order_by(col(OutboxEvent.id))))


async def attempts(rt: Runtime) -> list[WebhookAttempt]:
    async with rt.db.read() as session:
        return list(await session.scalars(select(WebhookAttempt).order_by(col(WebhookAttempt.id))))


async def deliveries(rt: Runtime) -> list[WebhookDelivery]:
    async with rt.db.read() as session:
        return list(
            await session.scalars(select(WebhookDelivery).order_by(col(WebhookDelivery.id)))
        )


async def endpoint(rt: Runtime, endpoint_id: int) -> WebhookEndpoint:
    async with rt.db.read() as session:
        found = await session.get(WebhookEndpoint, endpoint_id)
        assert found is not None
        return found
