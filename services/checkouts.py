"""Abandoned checkouts the store reports: the email it captured gets an account.

Idempotent by the store's checkout id: reporting it again answers the same
customer and writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pycountry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from domain.actors import Actor
from domain.errors import ErrorCode, FieldErrors, ServiceError
from domain.validation import normalize_email, refuse_control_characters
from models.customer import Customer
from models.order import AbandonedCheckout
from plumbing.runtime import Runtime
from services.accounts import find_or_open
from services.order_ingest_input import CLOCK_SKEW, MAX_AMOUNT

_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class CheckoutInput:
    store_checkout_id: str
    email: str
    currency_code: str
    total: Decimal
    abandoned_at: datetime
    recovery_url: str | None = None
    first_name: str | None = None
    last_name: str | None = None


@dataclass(frozen=True)
class Recorded:
    customer: Customer
    customer_created: bool


def _at(name: str) -> list[str]:
    return ["input", name]


def _check(given: CheckoutInput, now: datetime) -> str:
    errors = FieldErrors()
    with errors.check():
        store_id = given.store_checkout_id.strip()
        refuse_control_characters(store_id, _at("storeCheckoutId"))
        if not store_id or len(store_id) > 100:
            message = "Give 1 to 100 characters."
            raise ServiceError(ErrorCode.INVALID, message, _at("storeCheckoutId"))
    email = ""
    try:
        email = normalize_email(given.email)
    except ServiceError as error:
        errors.add(error.code, error.message, _at("email"))
    if not _CURRENCY.fullmatch(given.currency_code) or (
        pycountry.currencies.get(alpha_3=given.currency_code) is None
    ):
        message = "Enter an ISO 4217 currency code, e.g. USD."
        errors.add(ErrorCode.INVALID, message, _at("currencyCode"))
    total = given.total
    if not total.is_finite() or total < 0 or total > MAX_AMOUNT or total != round(total, 4):
        errors.add(ErrorCode.INVALID, "Give an amount of zero or more.", _at("total"))
    if given.abandoned_at.tzinfo is None or given.abandoned_at > now + CLOCK_SKEW:
        message = "Give a past time with its offset."
        errors.add(ErrorCode.INVALID, message, _at("abandonedAt"))
    url = given.recovery_url
    if url is not None and (not url.startswith("https://") or len(url) > 500):
        errors.add(ErrorCode.INVALID, "Give an https URL.", _at("recoveryUrl"))
    for name, value in (("firstName", given.first_name), ("lastName", given.last_name)):
        if value is not None and len(value.strip()) > 100:
            errors.add(ErrorCode.INVALID, "Must be at most 100 characters.", _at(name))
    errors.raise_any()
    return email


async def record_checkout(rt: Runtime, *, actor: Actor, checkout: CheckoutInput) -> Recorded:
    email = _check(checkout, rt.clock.now())
    store_id = checkout.store_checkout_id.strip()
    for attempt in range(2):
        try:
            async with rt.db.transaction() as session:
                seen = await session.scalar(
                    select(AbandonedCheckout).where(
                        col(AbandonedCheckout.store_checkout_id) == store_id
                    )
                )
                if seen is not None:
                    customer = await session.get(Customer, seen.customer_id)
                    assert customer is not None
                    return Recorded(customer=customer, customer_created=False)
                account = await find_or_open(
                    rt, session, email=email,
                    first_name=(checkout.first_name or "").strip() or None,
                    last_name=(checkout.last_name or "").strip() or None,
                    actor=actor, source="checkout",
                )  # fmt: skip
                assert account.customer.id is not None
                session.add(
                    AbandonedCheckout(
                        customer_id=account.customer.id,
                        store_checkout_id=store_id,
                        currency_code=checkout.currency_code,
                        total=checkout.total,
                        recovery_url=checkout.recovery_url,
                        abandoned_at=checkout.abandoned_at,
                        created_at=rt.clock.now(),
                    )
                )
                return Recorded(customer=account.customer, customer_created=account.created)
        except IntegrityError:
            # A concurrent report of the same checkout or email won: the retry finds it.
            if attempt:
                raise
    raise AssertionError("unreachable")
