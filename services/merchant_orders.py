"""What the store does to an order after it was placed: fulfillment steps and status.

A fulfillment event joins the customer's order timeline and moves the order's
`fulfillment_status` to it; a status change to CANCELLED records when and why
and tells the customer (`order.cancelled`), like a cancellation they made.
Each change bumps the order's version with `WHERE version = :seen`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.actors import Actor
from domain.errors import ErrorCode, FieldErrors, ServiceError
from domain.statuses import FulfillmentStatus, OrderStatus
from domain.topics import Topic
from domain.validation import refuse_control_characters
from models.order import FulfillmentEvent, Order
from plumbing import outbox
from plumbing.runtime import Runtime
from services.order_ingest_input import CLOCK_SKEW


def _at(name: str) -> list[str]:
    return ["input", name]


def _text(value: str | None, name: str, limit: int, *, lines: bool = False) -> str | None:
    if value is None:
        return None
    text = refuse_control_characters(value.strip(), _at(name), allow_newlines=lines)
    if len(text) > limit:
        raise ServiceError(ErrorCode.INVALID, f"Must be at most {limit} characters.", _at(name))
    return text or None


def _url(value: str | None) -> str | None:
    url = _text(value, "trackingUrl", 500)
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ServiceError(ErrorCode.INVALID, "Give an http(s) URL.", _at("trackingUrl"))
    return url


async def _order(session: AsyncSession, order_id: int | None) -> Order:
    order = None if order_id is None else await session.get(Order, order_id, with_for_update=True)
    if order is None:
        raise ServiceError(ErrorCode.NOT_FOUND, "Order not found.", _at("orderId"))
    return order


async def _bump(session: AsyncSession, order: Order, **values: Any) -> None:
    changed = await session.execute(
        update(Order)
        .where(col(Order.id) == order.id, col(Order.version) == order.version)
        .values(version=col(Order.version) + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise ServiceError(
            ErrorCode.NOT_ALLOWED_IN_STATE,
            "The order changed meanwhile: try again.",
            _at("orderId"),
        )


async def add_fulfillment_event(
    rt: Runtime,
    *,
    actor: Actor,
    order_id: int | None,
    status: FulfillmentStatus,
    happened_at: datetime,
    message: str | None = None,
    carrier: str | None = None,
    tracking_number: str | None = None,
    tracking_url: str | None = None,
) -> int:
    """Append a step to the order's timeline; answers the order's id."""
    errors = FieldErrors()
    if status is FulfillmentStatus.CANCELLED:
        message_ = "Cancel the order with updateOrderStatus instead."
        errors.add(ErrorCode.INVALID, message_, _at("status"))
    if happened_at.tzinfo is None:
        errors.add(ErrorCode.INVALID, "Give a time zone offset.", _at("happenedAt"))
    elif happened_at > rt.clock.now() + CLOCK_SKEW:
        errors.add(ErrorCode.INVALID, "Must not be in the future.", _at("happenedAt"))
    texts: dict[str, str | None] = {}
    for name, value, limit in (
        ("message", message, 500),
        ("carrier", carrier, 100),
        ("trackingNumber", tracking_number, 100),
    ):
        with errors.check():
            texts[name] = _text(value, name, limit)
    with errors.check():
        texts["trackingUrl"] = _url(tracking_url)
    errors.raise_any()
    async with rt.db.transaction() as session:
        order = await _order(session, order_id)
        if order.status is OrderStatus.CANCELLED:
            raise ServiceError(
                ErrorCode.NOT_ALLOWED_IN_STATE, "The order is cancelled.", _at("orderId")
            )
        if order.placed_at > happened_at:
            message_ = "Must not be before the order was placed."
            raise ServiceError(ErrorCode.INVALID, message_, _at("happenedAt"))
        assert order.id is not None
        session.add(
            FulfillmentEvent(
                order_id=order.id,
                status=status,
                happened_at=happened_at,
                message=texts["message"],
                carrier=texts["carrier"],
                tracking_number=texts["trackingNumber"],
                tracking_url=texts["trackingUrl"],
            )
        )
        await _bump(session, order, fulfillment_status=status)
        return order.id


async def update_order_status(
    rt: Runtime, *, actor: Actor, order_id: int | None, status: OrderStatus, reason: str | None
) -> int:
    """Complete, reopen or cancel an order; answers the order's id."""
    text = _text(reason, "reason", 500, lines=True)
    async with rt.db.transaction() as session:
        order = await _order(session, order_id)
        if order.status is status:
            return order.id or 0
        if order.status is OrderStatus.CANCELLED:
            raise ServiceError(
                ErrorCode.NOT_ALLOWED_IN_STATE,
                "A cancelled order stays cancelled.",
                _at("status"),
            )
        now = rt.clock.now()
        if status is OrderStatus.CANCELLED:
            await _bump(session, order, status=status, cancelled_at=now, cancel_reason=text)
            outbox.record(
                session,
                topic=Topic.ORDER_CANCELLED,
                actor=actor,
                customer_id=order.customer_id,
                payload={"order_id": order.id, "number": order.number, "reason": text},
                now=now,
            )
        else:
            await _bump(session, order, status=status)
        assert order.id is not None
        return order.id
