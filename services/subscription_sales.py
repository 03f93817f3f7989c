"""Subscriptions the store sold: created for a customer, confirmed to them by email.

The store names the customer by account id or by email (an account is opened
for an email not seen before, as ingestion does), the variants by SKU, and the
customer's saved card if it has one. The subscription, its lines, the history
entry `created` and the `subscription.created` event (which the worker turns
into the confirmation email with a sign-in link) commit together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from domain.actors import Actor
from domain.errors import ErrorCode, FieldErrors, ServiceError
from domain.schedule import Frequency, shop_today
from domain.topics import Topic
from domain.validation import normalize_email
from models.address import PaymentMethod
from models.catalog import ProductVariant
from models.customer import Customer
from models.shop import SHOP_ID, Shop
from models.subscription import Subscription, SubscriptionEvent, SubscriptionLine
from plumbing import outbox
from plumbing.runtime import Runtime
from services.accounts import find_or_open
from services.addresses import clean_address

MAX_LINES = 50
MAX_QUANTITY = 1_000


@dataclass(frozen=True)
class SaleLine:
    sku: str
    quantity: int


@dataclass(frozen=True)
class Sale:
    customer_id: int | None
    email: str | None
    lines: Sequence[SaleLine]
    frequency: Frequency
    next_order_date: date
    shipping_address: Mapping[str, str | None]
    payment_method_id: int | None = None


def _at(*parts: str | int) -> list[str]:
    return ["input", *(str(part) for part in parts)]


def _check(sale: Sale, today: date) -> tuple[str | None, dict[str, str | None]]:
    """The normalised email and address; every field at fault raised together."""
    errors = FieldErrors()
    email = None
    if (sale.customer_id is None) == (sale.email is None):
        errors.add(ErrorCode.INVALID, "Give customerId or email, not both.", _at("customerId"))
    elif sale.email is not None:
        try:
            email = normalize_email(sale.email)
        except ServiceError as error:
            errors.add(error.code, error.message, _at("email"))
    if not sale.lines or len(sale.lines) > MAX_LINES:
        errors.add(ErrorCode.INVALID, f"Give 1 to {MAX_LINES} lines.", _at("lines"))
    for index, line in enumerate(sale.lines[:MAX_LINES]):
        if not 1 <= line.quantity <= MAX_QUANTITY:
            message = f"Must be between 1 and {MAX_QUANTITY}."
            errors.add(ErrorCode.INVALID, message, _at("lines", index, "quantity"))
    if not sale.frequency.valid:
        errors.add(ErrorCode.INVALID, "This frequency is out of range.", _at("frequency"))
    if sale.next_order_date <= today:
        errors.add(ErrorCode.INVALID, "Must be after today.", _at("nextOrderDate"))
    address: dict[str, str | None] = {}
    with errors.check():
        address = clean_address(sale.shipping_address, path=_at("shippingAddress"))
    errors.raise_any()
    return email, address


async def create_subscription(rt: Runtime, *, actor: Actor, sale: Sale) -> Subscription:
    async with rt.db.read() as session:
        shop = await session.get(Shop, SHOP_ID)
    assert shop is not None
    now = rt.clock.now()
    email, address = _check(sale, shop_today(now, shop.time_zone))
    for attempt in range(2):
        try:
            return await _write(rt, actor, sale, email, address, shop.currency_code)
        except IntegrityError:
            # Another call opened the same new email's account first: use it.
            if attempt:
                raise
    raise AssertionError("unreachable")


async def _write(
    rt: Runtime,
    actor: Actor,
    sale: Sale,
    email: str | None,
    address: dict[str, str | None],
    currency: str,
) -> Subscription:
    now = rt.clock.now()
    async with rt.db.transaction() as session:
        if email is not None:
            opened = await find_or_open(
                rt, session, email=email, first_name=address.get("first_name"),
                last_name=address.get("last_name"), actor=actor, source="subscription",
            )  # fmt: skip
            customer = opened.customer
        else:
            found = await session.get(Customer, sale.customer_id)
            if found is None:
                raise ServiceError(ErrorCode.NOT_FOUND, "Customer not found.", _at("customerId"))
            customer = found
        assert customer.id is not None
        skus = [line.sku.strip() for line in sale.lines]
        variants = {
            row.sku: row
            for row in await session.scalars(
                select(ProductVariant).where(col(ProductVariant.sku).in_(skus))
            )
        }
        errors = FieldErrors()
        for index, sku in enumerate(skus):
            if sku not in variants:
                message = "No variant has this SKU."
                errors.add(ErrorCode.NOT_FOUND, message, _at("lines", index, "sku"))
        card = None
        if sale.payment_method_id is not None:
            card = await session.get(PaymentMethod, sale.payment_method_id)
            if card is None or card.customer_id != customer.id:
                message = "The customer has no such payment method."
                errors.add(ErrorCode.NOT_FOUND, message, _at("paymentMethodId"))
        errors.raise_any()
        first = variants[skus[0]]
        sub = Subscription(
            customer_id=customer.id,
            anchor_date=sale.next_order_date,
            next_order_date=sale.next_order_date,
            interval=sale.frequency.interval,
            interval_count=sale.frequency.count,
            allowed_frequencies=[sale.frequency.as_json()],
            currency_code=currency,
            shipping_address=address,
            payment_method_id=sale.payment_method_id,
            product_id=first.product_id,
            created_at=now,
            updated_at=now,
        )
        session.add(sub)
        await session.flush()
        assert sub.id is not None
        for position, (sku, line) in enumerate(zip(skus, sale.lines, strict=True)):
            variant = variants[sku]
            assert variant.id is not None
            session.add(
                SubscriptionLine(
                    subscription_id=sub.id,
                    variant_id=variant.id,
                    quantity=line.quantity,
                    unit_price=variant.price,
                    position=position,
                )
            )
        after = {"next_order_date": sale.next_order_date.isoformat(), **sale.frequency.as_json()}
        session.add(
            SubscriptionEvent(
                subscription_id=sub.id,
                actor=actor.key,
                action="created",
                before={},
                after=after,
                created_at=now,
            )
        )
        outbox.record(
            session,
            topic=Topic.SUBSCRIPTION_CREATED,
            actor=actor,
            customer_id=customer.id,
            payload={"subscription_id": sub.id},
            now=now,
        )
    return sub
