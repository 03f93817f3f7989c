"""Webhook bookkeeping shared by the worker and the merchant's requests: an event
marked delivered, an endpoint disabled, the backlog measured."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.actors import Actor
from domain.statuses import WebhookDeliveryStatus as Status
from domain.topics import Topic
from models.events import OutboxEvent
from models.webhooks import WebhookDelivery, WebhookEndpoint
from plumbing import outbox
from plumbing.runtime import Runtime

log = logging.getLogger("worker")
WORKER = Actor.system("worker")

EVENTS = OutboxEvent.__table__  # type: ignore[attr-defined]
DELIVERIES = WebhookDelivery.__table__  # type: ignore[attr-defined]
ENDPOINTS = WebhookEndpoint.__table__  # type: ignore[attr-defined]


async def give_up_pending(session: AsyncSession, endpoint_id: int, now: datetime) -> int:
    """Every pending delivery to a disabled endpoint given up; how many."""
    event_ids = (
        await session.scalars(
            select(DELIVERIES.c.event_id).where(
                DELIVERIES.c.endpoint_id == endpoint_id,
                DELIVERIES.c.status == Status.PENDING.value,
            )
        )
    ).all()
    if event_ids:
        await session.execute(
            update(DELIVERIES)
            .where(
                DELIVERIES.c.endpoint_id == endpoint_id,
                DELIVERIES.c.status == Status.PENDING.value,
            )
            .values(status=Status.FAILED, finished_at=now, claim=None, claimed_until=None)
        )
        await settle_events(session, event_ids, now)
    return len(event_ids)


async def disable_endpoint(
    session: AsyncSession, endpoint: WebhookEndpoint, now: datetime, *, failing: bool
) -> None:
    """Turn an endpoint off (the caller holds its row locked); its pending deliveries are
    given up. Turned off for failing, the merchant is told by an event and a log line."""
    endpoint.enabled = False
    endpoint.disabled_at = now
    assert endpoint.id is not None
    given_up = await give_up_pending(session, endpoint.id, now)
    if not failing:
        return
    since = endpoint.failing_since
    outbox.record(
        session,
        topic=Topic.WEBHOOK_ENDPOINT_DISABLED,
        actor=WORKER,
        customer_id=None,
        payload={
            "endpoint_id": endpoint.id,
            "url": endpoint.url,
            "failing_since": since.isoformat() if since else None,
            "deliveries_given_up": given_up,
        },
        now=now,
    )
    log.warning(
        "webhook endpoint %s disabled: failing since %s",
        endpoint.id,
        since.isoformat() if since else None,
        extra={"job": "webhook", "job_id": f"endpoint:{endpoint.id}", "outcome": "disabled"},
    )


async def settle_events(session: AsyncSession, event_ids: Iterable[int], now: datetime) -> None:
    """`delivered_at` on each event none of whose deliveries is still pending.

    The events are locked first (in id order): two workers finishing the last two
    deliveries of one event at once then see each other's result, and one sets it."""
    ids = sorted(set(event_ids))
    await session.execute(
        select(EVENTS.c.id).where(EVENTS.c.id.in_(ids)).order_by(EVENTS.c.id).with_for_update()
    )
    pending = exists().where(
        DELIVERIES.c.event_id == EVENTS.c.id, DELIVERIES.c.status == Status.PENDING.value
    )
    await session.execute(
        update(EVENTS)
        .where(EVENTS.c.id.in_(ids), EVENTS.c.delivered_at.is_(None), ~pending)
        .values(delivered_at=now)
    )


async def oldest_pending_age(rt: Runtime) -> tuple[float | None, int]:
    """How long (seconds) the oldest due webhook has waited, and how many are due:
    deliveries whose attempt is due, and events not yet planned."""
    now = rt.clock.now()
    async with rt.db.read() as session:
        due = (
            await session.execute(
                select(func.min(DELIVERIES.c.next_attempt_at), func.count()).where(
                    DELIVERIES.c.status == Status.PENDING.value,
                    DELIVERIES.c.next_attempt_at <= now,
                )
            )
        ).one()
        unplanned = (
            await session.execute(
                select(func.min(EVENTS.c.created_at), func.count()).where(
                    EVENTS.c.webhooks_planned_at.is_(None)
                )
            )
        ).one()
    oldest = [moment for moment in (due[0], unplanned[0]) if moment is not None]
    count = int(due[1]) + int(unplanned[1])
    if not oldest:
        return None, count
    return max((now - min(oldest)).total_seconds(), 0.0), count
