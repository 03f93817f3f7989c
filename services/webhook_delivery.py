"""Webhooks: every outbox event POSTed, signed, to every enabled endpoint that wants it.

Four steps, so no transaction is open while a receiver is called:

1. **Plan** (one short transaction, a batch): events not yet planned, locked FOR UPDATE
   SKIP LOCKED, get one `webhook_delivery` row per enabled endpoint that wants their
   topic. An event nobody wants is delivered there and then.
2. **Claim** (one short transaction, a batch): pending deliveries that are due, whose
   lease is free or expired, and that no earlier event of the same customer to the same
   endpoint still waits for (neither a pending delivery nor an event not yet planned):
   that is the order rule. Each gets a random claim and a lease (`WEBHOOK_LEASE`).
3. **Send** the POST (`adapters.webhooks`), outside any transaction.
4. **Record** (one transaction): the attempt is logged; the delivery is marked on its
   claim only (delivered, retried later with backoff, or given up after
   `WEBHOOK_MAX_ATTEMPTS`); the endpoint's failure streak is kept, and an endpoint failing
   for `WEBHOOK_DISABLE_AFTER` is disabled (event `webhook_endpoint.disabled`). The event's
   `delivered_at` is set once none of its deliveries is pending.

A worker that dies after sending leaves the lease to expire; the next one sends again
(with the same `webhook-id`, so the receiver can tell). Locks are taken in one order
(endpoint, deliveries, events), so recording workers never deadlock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, insert, or_, select, update

from adapters.webhooks import WebhookResponse
from domain.statuses import WebhookDeliveryStatus as Status
from models.webhooks import WebhookAttempt, WebhookEndpoint
from plumbing.runtime import Runtime
from services.webhook_payloads import retry_delay, webhook_body, webhook_id
from services.webhook_state import DELIVERIES, ENDPOINTS, EVENTS, disable_endpoint, settle_events


@dataclass(frozen=True)
class DeliveryClaim:
    delivery_id: int
    event_id: int
    endpoint_id: int
    url: str
    secret: str
    topic: str
    customer_id: int | None
    payload: dict[str, Any]
    created_at: datetime
    attempt: int
    claim: str
    until: datetime


@dataclass(frozen=True)
class Delivered:
    """One attempt's outcome: `delivered`, `retry` (failed, tried again later),
    `given_up`, `endpoint_disabled` (failed, and the endpoint was turned off),
    `lease_expired` (not sent: held too long) or `lease_lost` (sent, but another worker
    or a disabling had taken the delivery meanwhile)."""

    claim: DeliveryClaim
    outcome: str
    response: WebhookResponse | None = None


async def plan_events(rt: Runtime, batch: int) -> int:
    """Step 1: up to `batch` events planned; how many."""
    now = rt.clock.now()
    async with rt.db.transaction() as session:
        rows = (
            await session.execute(
                select(EVENTS.c.id, EVENTS.c.topic, EVENTS.c.customer_id)
                .where(EVENTS.c.webhooks_planned_at.is_(None))
                .order_by(EVENTS.c.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not rows:
            return 0
        # Shared locks: an endpoint being disabled meanwhile is not planned for.
        endpoints = (
            await session.execute(
                select(ENDPOINTS.c.id, ENDPOINTS.c.topics)
                .where(ENDPOINTS.c.enabled.is_(True))
                .order_by(ENDPOINTS.c.id)
                .with_for_update(read=True)
            )
        ).all()
        planned: list[dict[str, Any]] = []
        unwanted: list[int] = []
        for row in rows:
            wanting = [ep.id for ep in endpoints if ep.topics is None or row.topic in ep.topics]
            if not wanting:
                unwanted.append(row.id)
            planned += [
                {
                    "event_id": row.id,
                    "endpoint_id": endpoint_id,
                    "customer_id": row.customer_id,
                    "status": Status.PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for endpoint_id in wanting
            ]
        if planned:
            await session.execute(insert(DELIVERIES), planned)
        await session.execute(
            update(EVENTS)
            .where(EVENTS.c.id.in_([row.id for row in rows]))
            .values(webhooks_planned_at=now)
        )
        if unwanted:
            await session.execute(
                update(EVENTS)
                .where(EVENTS.c.id.in_(unwanted), EVENTS.c.delivered_at.is_(None))
                .values(delivered_at=now)
            )
    return len(rows)


def _in_order() -> Any:
    """True for a delivery no earlier event of its customer to its endpoint waits for."""
    earlier = DELIVERIES.alias("earlier")
    unplanned = EVENTS.alias("unplanned")
    waiting_delivery = exists().where(
        earlier.c.endpoint_id == DELIVERIES.c.endpoint_id,
        earlier.c.customer_id == DELIVERIES.c.customer_id,
        earlier.c.event_id < DELIVERIES.c.event_id,
        earlier.c.status == Status.PENDING.value,
    )
    waiting_event = exists().where(
        unplanned.c.customer_id == DELIVERIES.c.customer_id,
        unplanned.c.id < DELIVERIES.c.event_id,
        unplanned.c.webhooks_planned_at.is_(None),
    )
    return ~waiting_delivery & ~waiting_event


async def claim_deliveries(rt: Runtime, batch: int) -> list[DeliveryClaim]:
    """Step 2: up to `batch` due deliveries claimed, in order per customer and endpoint."""
    now = rt.clock.now()
    token = uuid.uuid4().hex
    until = now + timedelta(seconds=rt.settings.webhook_lease)
    async with rt.db.transaction() as session:
        ids = (
            await session.scalars(
                select(DELIVERIES.c.id)
                .where(
                    DELIVERIES.c.status == Status.PENDING.value,
                    DELIVERIES.c.next_attempt_at <= now,
                    or_(DELIVERIES.c.claimed_until.is_(None), DELIVERIES.c.claimed_until <= now),
                    DELIVERIES.c.endpoint_id.in_(
                        select(ENDPOINTS.c.id).where(ENDPOINTS.c.enabled.is_(True))
                    ),
                    _in_order(),
                )
                .order_by(DELIVERIES.c.id)
                .limit(batch)
                .with_for_update(skip_locked=True, of=DELIVERIES)
            )
        ).all()
        if not ids:
            return []
        await session.execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.id.in_(ids))
            .values(claim=token, claimed_until=until, attempts=DELIVERIES.c.attempts + 1)
        )
        rows = (
            await session.execute(
                select(
                    DELIVERIES.c.id,
                    DELIVERIES.c.event_id,
                    DELIVERIES.c.endpoint_id,
                    DELIVERIES.c.attempts,
                    ENDPOINTS.c.url,
                    ENDPOINTS.c.secret,
                    EVENTS.c.topic,
                    EVENTS.c.customer_id,
                    EVENTS.c.payload,
                    EVENTS.c.created_at,
                )
                .join(ENDPOINTS, ENDPOINTS.c.id == DELIVERIES.c.endpoint_id)
                .join(EVENTS, EVENTS.c.id == DELIVERIES.c.event_id)
                .where(DELIVERIES.c.id.in_(ids))
                .order_by(DELIVERIES.c.id)
            )
        ).all()
    return [
        DeliveryClaim(
            delivery_id=row.id,
            event_id=row.event_id,
            endpoint_id=row.endpoint_id,
            url=row.url,
            secret=row.secret,
            topic=str(row.topic),
            customer_id=row.customer_id,
            payload=row.payload,
            created_at=row.created_at,
            attempt=row.attempts,
            claim=token,
            until=until,
        )
        for row in rows
    ]


async def deliver(rt: Runtime, claim: DeliveryClaim) -> Delivered:
    """Steps 3 and 4 for one claimed delivery."""
    if rt.clock.now() >= claim.until:
        # Held too long (a stalled process): another worker may have it now.
        return Delivered(claim, "lease_expired")
    body = webhook_body(claim.topic, claim.created_at, claim.customer_id, claim.payload)
    response = await rt.webhooks.post(
        claim.url,
        secret=claim.secret,
        msg_id=webhook_id(claim.event_id, claim.endpoint_id),
        body=body,
    )
    outcome = await _record(rt, claim, response)
    return Delivered(claim, outcome, response)


async def _record(rt: Runtime, claim: DeliveryClaim, response: WebhookResponse) -> str:
    settings = rt.settings
    now = rt.clock.now()
    async with rt.db.transaction() as session:
        endpoint = await session.get(WebhookEndpoint, claim.endpoint_id, with_for_update=True)
        session.add(
            WebhookAttempt(
                delivery_id=claim.delivery_id,
                endpoint_id=claim.endpoint_id,
                event_id=claim.event_id,
                attempt=claim.attempt,
                status_code=response.status_code,
                duration_ms=response.duration_ms,
                error=response.error,
                response_excerpt=response.excerpt,
                created_at=now,
            )
        )
        values: dict[str, Any] = {"claim": None, "claimed_until": None}
        if response.ok:
            outcome = "delivered"
            values.update(status=Status.DELIVERED, finished_at=now)
        elif claim.attempt >= settings.webhook_max_attempts:
            outcome = "given_up"
            values.update(status=Status.FAILED, finished_at=now)
        else:
            outcome = "retry"
            values.update(next_attempt_at=now + retry_delay(settings, claim.attempt))
        marked = await session.execute(
            update(DELIVERIES)
            .where(
                DELIVERIES.c.id == claim.delivery_id,
                DELIVERIES.c.claim == claim.claim,
                DELIVERIES.c.status == Status.PENDING.value,
            )
            .values(**values)
        )
        if marked.rowcount != 1:  # type: ignore[attr-defined]
            outcome = "lease_lost"
        if endpoint is not None:
            if response.ok:
                endpoint.failing_since = None
            elif endpoint.failing_since is None:
                endpoint.failing_since = now
            elif endpoint.enabled and now - endpoint.failing_since >= timedelta(
                seconds=settings.webhook_disable_after
            ):
                await disable_endpoint(session, endpoint, now, failing=True)
                outcome = "endpoint_disabled"
        if outcome in ("delivered", "given_up"):
            await settle_events(session, [claim.event_id], now)
    return outcome
