"""Demo data: a store with a catalogue and a few customers.

Idempotent: running it twice leaves one copy. Each domain module of this
package provides steps, listed in `STEPS` in the order they run; a step
receives the open transaction and the customers by handle.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from demo import orders, profile, subscriptions, tickets
from models.customer import Customer
from models.shop import SHOP_ID, CustomerAccountSettings, Shop
from plumbing.runtime import Runtime

DEMO_CUSTOMERS: dict[str, dict[str, Any]] = {
    "ada": {
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "phone": "+14155550123",
        "language": "en",
        "marketing_email": True,
    },
    "jean": {
        "email": "jean@example.com",
        "first_name": "Jean",
        "last_name": "Tremblay",
        "phone": "+15145550188",
        "language": "fr-CA",
    },
    "grace": {"email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper"},
}

Step = Callable[[Runtime, AsyncSession, dict[str, Customer]], Awaitable[None]]
STEPS: tuple[Step, ...] = (
    profile.seed_addresses,
    profile.seed_consent_history,
    orders.seed_orders,
    tickets.seed_payment_methods,
    tickets.seed_tickets,
    subscriptions.seed_subscriptions,
)


async def seed_demo(rt: Runtime) -> bool:
    """Load the demo store; False when it was already there."""
    async with rt.db.transaction() as session:
        if await session.get(Shop, SHOP_ID) is not None:
            return False
        session.add(
            Shop(
                id=SHOP_ID,
                name="Northwind Coffee Co.",
                currency_code="USD",
                time_zone="America/New_York",
            )
        )
        await session.flush()
        session.add(
            CustomerAccountSettings(
                shop_id=SHOP_ID, order_cancellation_enabled=True, support_enabled=True
            )
        )
        now = rt.clock.now()
        customers: dict[str, Customer] = {}
        for handle, fields in DEMO_CUSTOMERS.items():
            customer = Customer(created_at=now, updated_at=now, **fields)
            session.add(customer)
            customers[handle] = customer
        await session.flush()
        for step in STEPS:
            await step(rt, session, customers)
    return True


async def ensure_shop(rt: Runtime, *, name: str = "My Store") -> None:
    """A bare store for a production database that has none yet."""
    async with rt.db.transaction() as session:
        if await session.scalar(select(col(Shop.id)).where(col(Shop.id) == SHOP_ID)) is None:
            session.add(Shop(id=SHOP_ID, name=name))
            await session.flush()
            session.add(CustomerAccountSettings(shop_id=SHOP_ID))
