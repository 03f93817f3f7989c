"""Shared by the worker tests: a day of the worker, and what the renewals left behind."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlmodel import col

from adapters.clock import ManualClock
from app.worker import run_once
from models.address import PaymentMethod
from models.order import Order, OrderDiscount
from models.subscription import RenewalAttempt, Subscription
from plumbing.runtime import Runtime
from services.renewal_outcomes import Outcome

# The test gateway declines every charge on a card whose reference starts so.
DECLINING = "card_test_declines_"


async def next_day(rt: Runtime, clock: ManualClock) -> list[Outcome]:
    """Move the clock one day on and run every job once, as the daily cron would."""
    clock.advance(days=1)
    return await run_once(rt)


async def orders_of(rt: Runtime, sub_id: int) -> list[tuple[Order, list[OrderDiscount]]]:
    """The subscription's orders, oldest first, each with its discounts."""
    async with rt.db.read() as session:
        orders = (
            await session.scalars(
                select(Order)
                .where(col(Order.subscription_id) == sub_id)
                .order_by(col(Order.placed_at), col(Order.id))
            )
        ).all()
        found = []
        for order in orders:
            discounts = (
                await session.scalars(
                    select(OrderDiscount).where(col(OrderDiscount.order_id) == order.id)
                )
            ).all()
            found.append((order, list(discounts)))
    return found


async def attempts_of(rt: Runtime, sub_id: int) -> list[RenewalAttempt]:
    async with rt.db.read() as session:
        rows = await session.scalars(
            select(RenewalAttempt)
            .where(col(RenewalAttempt.subscription_id) == sub_id)
            .order_by(col(RenewalAttempt.id))
        )
        return list(rows)


async def reload(rt: Runtime, sub_id: int) -> Subscription:
    async with rt.db.read() as session:
        row = await session.get(Subscription, sub_id)
    assert row is not None
    return row


async def set_card_reference(rt: Runtime, card: PaymentMethod, reference: str) -> None:
    async with rt.db.transaction() as session:
        await session.execute(
            update(PaymentMethod)
            .where(col(PaymentMethod.id) == card.id)
            .values(gateway_reference=reference)
        )


async def set_subscription(rt: Runtime, sub_id: int, **values: Any) -> None:
    async with rt.db.transaction() as session:
        await session.execute(
            update(Subscription).where(col(Subscription.id) == sub_id).values(**values)
        )
