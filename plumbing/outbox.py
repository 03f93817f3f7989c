"""Recording events for the merchant side and the worker, in the writer's transaction.

An event commits with the change it reports or not at all; the worker reads
the outbox and marks what it delivered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.actors import Actor
from domain.topics import Topic
from models.events import OutboxEvent


def record(
    session: AsyncSession,
    *,
    topic: Topic,
    actor: Actor,
    customer_id: int | None,
    payload: dict[str, Any],
    now: datetime,
) -> OutboxEvent:
    """Add an event to the session; it is written when the transaction commits."""
    event = OutboxEvent(
        topic=topic, actor=actor.key, customer_id=customer_id, payload=payload, created_at=now
    )
    session.add(event)
    return event
