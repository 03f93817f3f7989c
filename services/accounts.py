"""Accounts the merchant side opens: a customer for an email the store sent us.

The email is normalised as login normalises it, so the customer who later
asks for a code with that address lands on this account.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.actors import Actor
from domain.topics import Topic
from models.customer import Customer
from plumbing.outbox import record
from plumbing.runtime import Runtime


@dataclass(frozen=True)
class Account:
    customer: Customer
    created: bool


async def find_or_open(
    rt: Runtime,
    session: AsyncSession,
    *,
    email: str,
    first_name: str | None,
    last_name: str | None,
    actor: Actor,
    source: str,
) -> Account:
    """The customer with `email` (already normalised), opened in the caller's
    transaction when none exists, with a `customer.created` event.

    Two callers opening the same email at once meet on the unique email: the
    loser's transaction fails with IntegrityError and its caller retries,
    finding the account the winner opened.
    """
    existing = await session.scalar(select(Customer).where(col(Customer.email) == email))
    if existing is not None:
        return Account(customer=existing, created=False)
    now = rt.clock.now()
    customer = Customer(
        email=email, first_name=first_name, last_name=last_name, created_at=now, updated_at=now
    )
    session.add(customer)
    await session.flush()
    assert customer.id is not None
    record(
        session,
        topic=Topic.CUSTOMER_CREATED,
        actor=actor,
        customer_id=customer.id,
        payload={"customer_id": customer.id, "email": email, "source": source},
        now=now,
    )
    return Account(customer=customer, created=True)
