"""The merchant's webhook endpoints: registering, changing, and redelivering on request.

The admin API's mutations are thin resolvers over these functions. Input is checked
before any transaction; a refusal lists every field at fault and changes nothing.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import insert, select, update

from domain.errors import ErrorCode, FieldErrors, ServiceError
from domain.statuses import WebhookDeliveryStatus as Status
from domain.topics import DESCRIPTIONS, Topic
from domain.validation import refuse_control_characters
from models.events import OutboxEvent
from models.webhooks import WebhookEndpoint
from plumbing.runtime import Runtime
from services.webhook_state import DELIVERIES, EVENTS, disable_endpoint

URL_MAX_LENGTH = 2_000
DESCRIPTION_MAX_LENGTH = 500
# Bytes of key behind a `whsec_` secret (Standard Webhooks asks for 24 to 64).
SECRET_BYTES = 32


@dataclass(frozen=True)
class TopicInfo:
    topic: Topic
    description: str


def list_topics() -> list[TopicInfo]:
    """Every topic an endpoint can subscribe to, with what it means."""
    return [TopicInfo(topic, DESCRIPTIONS[topic]) for topic in Topic]


def generate_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _clean(rt: Runtime, changes: Mapping[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if "url" in changes:
        url = (changes["url"] or "").strip()
        parts = urlsplit(url)
        schemes = ("https",) if rt.settings.app_env == "production" else ("http", "https")
        if len(url) > URL_MAX_LENGTH:
            errors.add(ErrorCode.INVALID, "The URL is too long.", ["url"])
        elif parts.scheme not in schemes or not parts.hostname or parts.username:
            shown = " or ".join(f"{scheme}://" for scheme in schemes)
            errors.add(ErrorCode.INVALID, f"Enter an absolute {shown} URL.", ["url"])
        values["url"] = url
    if "topics" in changes:
        topics = changes["topics"]
        if topics is not None:
            if not topics:
                errors.add(ErrorCode.INVALID, "Choose at least one topic, or all.", ["topics"])
            for index, topic in enumerate(topics):
                if topic not in Topic.__members__.values():
                    errors.add(ErrorCode.INVALID, "Unknown topic.", ["topics", str(index)])
            topics = sorted(set(topics))
        values["topics"] = topics
    if "description" in changes:
        description = (changes["description"] or "").strip()
        if len(description) > DESCRIPTION_MAX_LENGTH:
            errors.add(ErrorCode.INVALID, "The description is too long.", ["description"])
        with errors.check():
            refuse_control_characters(description, ["description"])
        values["description"] = description
    if "enabled" in changes:
        if changes["enabled"] is None:
            errors.add(ErrorCode.INVALID, "Choose true or false.", ["enabled"])
        values["enabled"] = changes["enabled"]
    errors.raise_any()
    return values


async def create_endpoint(
    rt: Runtime,
    *,
    url: str,
    topics: Sequence[str] | None,
    description: str = "",
    enabled: bool = True,
) -> WebhookEndpoint:
    """A new endpoint with its own secret; `topics` None means every topic."""
    values = _clean(
        rt, {"url": url, "topics": topics, "description": description, "enabled": enabled}
    )
    async with rt.db.transaction() as session:
        endpoint = WebhookEndpoint(**values, secret=generate_secret(), created_at=rt.clock.now())
        session.add(endpoint)
        await session.flush()
    return endpoint


async def update_endpoint(
    rt: Runtime, *, endpoint_id: int, changes: Mapping[str, Any]
) -> WebhookEndpoint:
    """Apply `changes` (keys among url, topics, description, enabled). Disabling gives up
    its pending deliveries; enabling starts a fresh failure streak. Topics apply to
    events planned from now on."""
    values = _clean(rt, changes)
    async with rt.db.transaction() as session:
        endpoint = await session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
        if endpoint is None:
            raise ServiceError(ErrorCode.NOT_FOUND, "Webhook endpoint not found.", ["id"])
        now = rt.clock.now()
        enabled = values.pop("enabled", endpoint.enabled)
        for name, value in values.items():
            setattr(endpoint, name, value)
        if endpoint.enabled and not enabled:
            await disable_endpoint(session, endpoint, now, failing=False)
        elif enabled and not endpoint.enabled:
            endpoint.enabled = True
            endpoint.disabled_at = None
            endpoint.failing_since = None
    return endpoint


async def rotate_secret(rt: Runtime, *, endpoint_id: int) -> WebhookEndpoint:
    """A new secret; deliveries from now on are signed with it."""
    async with rt.db.transaction() as session:
        endpoint = await session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
        if endpoint is None:
            raise ServiceError(ErrorCode.NOT_FOUND, "Webhook endpoint not found.", ["id"])
        endpoint.secret = generate_secret()
    return endpoint


async def _enabled_endpoint(session: Any, endpoint_id: int) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
    if endpoint is None:
        raise ServiceError(ErrorCode.NOT_FOUND, "Webhook endpoint not found.", ["endpointId"])
    if not endpoint.enabled:
        raise ServiceError(
            ErrorCode.NOT_ALLOWED_IN_STATE,
            "Enable the endpoint before asking for a redelivery.",
            ["endpointId"],
        )
    return endpoint


def _requeue(now: Any) -> dict[str, Any]:
    # Attempts count again from zero: a redelivery gets the whole retry schedule.
    return {
        "status": Status.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "claim": None,
        "claimed_until": None,
        "finished_at": None,
    }


async def redeliver_event(rt: Runtime, *, event_id: int, endpoint_id: int) -> None:
    """Send one event to one endpoint again (or for the first time, e.g. an endpoint
    registered after it). It keeps its `webhook-id`, and its place in the customer's
    order: the customer's later events to that endpoint wait for it."""
    async with rt.db.transaction() as session:
        await _enabled_endpoint(session, endpoint_id)
        event = await session.get(OutboxEvent, event_id, with_for_update=True)
        if event is None:
            raise ServiceError(ErrorCode.NOT_FOUND, "Event not found.", ["eventId"])
        now = rt.clock.now()
        requeued = await session.execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.event_id == event_id, DELIVERIES.c.endpoint_id == endpoint_id)
            .values(**_requeue(now))
        )
        if requeued.rowcount == 0:  # type: ignore[attr-defined]
            await session.execute(
                insert(DELIVERIES).values(
                    event_id=event_id,
                    endpoint_id=endpoint_id,
                    customer_id=event.customer_id,
                    created_at=now,
                    **_requeue(now),
                )
            )
        event.delivered_at = None


async def redeliver_failed(rt: Runtime, *, endpoint_id: int) -> int:
    """Every given-up delivery of an endpoint sent again; how many."""
    async with rt.db.transaction() as session:
        await _enabled_endpoint(session, endpoint_id)
        now = rt.clock.now()
        event_ids = (
            await session.scalars(
                select(DELIVERIES.c.event_id).where(
                    DELIVERIES.c.endpoint_id == endpoint_id,
                    DELIVERIES.c.status == Status.FAILED.value,
                )
            )
        ).all()
        if not event_ids:
            return 0
        await session.execute(
            select(EVENTS.c.id)
            .where(EVENTS.c.id.in_(event_ids))
            .order_by(EVENTS.c.id)
            .with_for_update()
        )
        await session.execute(
            update(DELIVERIES)
            .where(
                DELIVERIES.c.endpoint_id == endpoint_id,
                DELIVERIES.c.status == Status.FAILED.value,
            )
            .values(**_requeue(now))
        )
        await session.execute(
            update(EVENTS).where(EVENTS.c.id.in_(event_ids)).values(delivered_at=None)
        )
    return len(event_ids)
