"""Builders for the shop, customers, sessions, saved cards, tickets and address-book entries."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from auth import sessions
from demo import builders
from domain.statuses import TicketAuthor, TicketStatus
from models.address import Address
from models.customer import Customer
from models.order import Order
from models.shop import SHOP_ID, CustomerAccountSettings, Shop
from plumbing.runtime import Runtime

serial = itertools.count(1)


async def shop(rt: Runtime, **flags: Any) -> None:
    async with rt.db.transaction() as session:
        session.add(Shop(id=SHOP_ID, name="Test Store", currency_code="USD", time_zone="UTC"))
        await session.flush()
        session.add(CustomerAccountSettings(shop_id=SHOP_ID, **flags))


async def set_flags(rt: Runtime, **flags: Any) -> None:
    """Change the merchant's customer-account settings."""
    async with rt.db.transaction() as session:
        await session.execute(
            update(CustomerAccountSettings)
            .where(CustomerAccountSettings.shop_id == SHOP_ID)  # type: ignore[arg-type]
            .values(**flags)
        )


async def customer(rt: Runtime, **fields: Any) -> Customer:
    n = next(serial)
    fields.setdefault("email", f"customer{n}@example.com")
    now = rt.clock.now()
    async with rt.db.transaction() as session:
        row = Customer(created_at=now, updated_at=now, **fields)
        session.add(row)
    return row


async def login(rt: Runtime, row: Customer) -> str:
    """A session token for `row`, as if the customer had logged in."""
    async with rt.db.transaction() as session:
        issued = await sessions.issue(rt, session, customer=row)
    return issued.token


# --- Payment methods and tickets ------------------------------------------------------------


async def payment_method(
    rt: Runtime,
    customer: Customer,
    *,
    brand: str = "Visa",
    last4: str = "4242",
    expiry: tuple[int, int] = (12, 2030),
    is_default: bool = False,
    billing_address: dict[str, Any] | None = None,
    created_at: datetime | None = None,
) -> Any:
    """A saved card, written directly (no gateway call); returns the PaymentMethod row."""
    async with rt.db.transaction() as session:
        row = await builders.card(
            session,
            owner=customer,
            brand=brand,
            last4=last4,
            expiry=expiry,
            gateway_reference=f"card_factory_{next(serial)}",
            billing_address=billing_address,
            is_default=is_default,
            created_at=created_at or rt.clock.now(),
        )
    return row


async def ticket(
    rt: Runtime,
    customer: Customer,
    *,
    subject: str = "Where is my parcel?",
    status: str = "OPEN",
    order: Order | None = None,
    messages: Sequence[tuple[str, str]] = (("CUSTOMER", "Hello, I need help."),),
    created_at: datetime | None = None,
) -> Any:
    """A ticket numbered like the real ones, with `messages` as (author, body), one
    minute apart from `created_at`; returns the Ticket row."""
    opened = created_at or rt.clock.now()
    async with rt.db.transaction() as session:
        row = await builders.ticket(
            session,
            owner=customer,
            subject=subject,
            status=TicketStatus(status),
            order=order,
            opened_at=opened,
            conversation=[
                (TicketAuthor(author), body, opened + timedelta(minutes=i))
                for i, (author, body) in enumerate(messages)
            ],
        )
    return row


# --- Address book -----------------------------------------------------------------------------


async def address(
    rt: Runtime,
    owner: Customer,
    *,
    default_shipping: bool = False,
    default_billing: bool = False,
    **fields: Any,
) -> Any:
    """An address-book entry of `owner`, stored as given (no validation).

    Other entries' default flags are not touched: ask for a default only where
    the customer has none of that kind.
    """
    n = next(serial)
    values: dict[str, Any] = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "line1": f"{n} Analytical Way",
        "city": "Brooklyn",
        "province": "NY",
        "postal_code": "11201",
        "country_code": "US",
        **fields,
    }
    now = rt.clock.now()
    async with rt.db.transaction() as session:
        row = Address(
            customer_id=owner.id,
            is_default_shipping=default_shipping,
            is_default_billing=default_billing,
            created_at=now,
            updated_at=now,
            **values,
        )
        session.add(row)
    return row
