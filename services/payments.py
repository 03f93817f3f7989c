"""Saved payment methods: vault a gateway token, choose the default, remove a card."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adapters.gateway import GatewayError, PaymentGateway, VaultedCard
from domain.actors import Actor
from domain.errors import ErrorCode, FieldErrors, ServiceError
from domain.i18n import _
from models.address import PaymentMethod
from models.customer import Customer
from plumbing import idempotency
from plumbing.runtime import Runtime
from services.addresses import clean_address

# Enough for any household; a bound so a script cannot fill the table.
MAX_PAYMENT_METHODS = 20

_TOKEN_FIELD = ["gatewayToken"]
# A run of 13-19 digits once spaces and dashes are gone is a card number (PAN).
_PAN = re.compile(r"\d{13,19}")
_PAN_SEPARATORS = re.compile(r"[\s-]")
_GATEWAY_CODES = {
    "declined": ErrorCode.PAYMENT_DECLINED,
    "expired": ErrorCode.CARD_EXPIRED,
    "invalid_token": ErrorCode.INVALID,
}


def gateway_for(rt: Runtime) -> PaymentGateway:
    """The gateway cards are vaulted with and charged by (one per process, see build_runtime)."""
    return rt.gateway


def _not_found() -> ServiceError:
    return ServiceError(ErrorCode.NOT_FOUND, _("Payment method not found."), ["id"])


def check_gateway_token(token: str) -> str:
    token = token.strip()
    if _PAN.search(_PAN_SEPARATORS.sub("", token)):
        # Never echo the value: it may be a real card number.
        raise ServiceError(
            ErrorCode.INVALID,
            _("Send the token from the payment form, never a card number."),
            _TOKEN_FIELD,
        )
    if not token or len(token) > 200:
        raise ServiceError(ErrorCode.INVALID, _("The payment token is not valid."), _TOKEN_FIELD)
    return token


async def _count(session: AsyncSession, customer_id: int) -> int:
    total = await session.scalar(
        select(func.count())
        .select_from(PaymentMethod)
        .where(col(PaymentMethod.customer_id) == customer_id)
    )
    return int(total or 0)


def _check_room(count: int) -> None:
    if count >= MAX_PAYMENT_METHODS:
        raise ServiceError(
            ErrorCode.INVALID,
            _("You can save up to {count} cards; remove one first.", count=MAX_PAYMENT_METHODS),
            _TOKEN_FIELD,
        )


async def _lock_customer(session: AsyncSession, customer_id: int) -> None:
    """Serialise card changes per customer, so the cap and the one default hold.

    SQLite already serialises writers (BEGIN IMMEDIATE); FOR UPDATE is for PostgreSQL.
    """
    await session.execute(
        select(col(Customer.id)).where(col(Customer.id) == customer_id).with_for_update()
    )


async def _clear_default(session: AsyncSession, customer_id: int) -> None:
    # Cleared before the new default is set: the partial unique index allows one.
    await session.execute(
        update(PaymentMethod)
        .where(col(PaymentMethod.customer_id) == customer_id, col(PaymentMethod.is_default))
        .values(is_default=False)
    )


async def _owned(session: AsyncSession, customer_id: int, pk: int) -> PaymentMethod | None:
    return await session.scalar(
        select(PaymentMethod).where(
            col(PaymentMethod.id) == pk, col(PaymentMethod.customer_id) == customer_id
        )
    )


async def vault(rt: Runtime, token: str) -> tuple[PaymentGateway, VaultedCard]:
    """Vault a checked token at the gateway; its refusal becomes the service's.

    Call it outside any transaction: a network call must not hold the database lock.
    """
    gateway = gateway_for(rt)
    try:
        return gateway, await gateway.vault(token)
    except GatewayError as error:
        raise ServiceError(_GATEWAY_CODES[error.reason], error.message, _TOKEN_FIELD) from None


async def check_room(rt: Runtime, customer_id: int) -> None:
    """Refuse before vaulting when the wallet is full, so a full wallet vaults nothing."""
    async with rt.db.read() as session:
        _check_room(await _count(session, customer_id))


async def save_card(
    session: AsyncSession,
    rt: Runtime,
    *,
    customer_id: int,
    gateway: PaymentGateway,
    card: VaultedCard,
    billing_address: dict[str, Any] | None,
    make_default: bool,
) -> PaymentMethod:
    """Store a vaulted card in the caller's transaction. It becomes the default when asked
    to, or when the customer has no default (so the first card always does)."""
    await _lock_customer(session, customer_id)
    _check_room(await _count(session, customer_id))
    has_default = await session.scalar(
        select(col(PaymentMethod.id)).where(
            col(PaymentMethod.customer_id) == customer_id, col(PaymentMethod.is_default)
        )
    )
    is_default = make_default or has_default is None
    if is_default:
        await _clear_default(session, customer_id)
    row = PaymentMethod(
        customer_id=customer_id,
        gateway=gateway.name,
        gateway_reference=card.reference,
        brand=card.brand,
        last4=card.last4,
        expiry_month=card.expiry_month,
        expiry_year=card.expiry_year,
        billing_address=billing_address,
        is_default=is_default,
        created_at=rt.clock.now(),
    )
    session.add(row)
    await session.flush()
    return row


async def add_payment_method(
    rt: Runtime,
    *,
    customer_id: int,
    gateway_token: str,
    billing_address: Mapping[str, Any] | None,
    make_default: bool,
    actor: Actor,
    idempotency_key: str | None = None,
) -> PaymentMethod:
    """Vault the token and save the card. It becomes the default when asked to, or when
    the customer has no default (so the first card always does)."""
    # The token and every billing-address field at fault, in one answer.
    errors = FieldErrors()
    token, snapshot = "", None
    with errors.check():
        token = check_gateway_token(gateway_token)
    with errors.check():
        if billing_address is not None:
            snapshot = clean_address(billing_address, path=["billingAddress"])
    errors.raise_any()
    request = {"token": token, "billing_address": snapshot, "make_default": make_default}
    async with rt.db.read() as session:
        seen = await idempotency.replay(
            session,
            actor=actor,
            operation="addPaymentMethod",
            key=idempotency_key,
            request=request,
        )
        if seen is None:
            # Checked before the gateway call too, so a full wallet vaults nothing.
            _check_room(await _count(session, customer_id))
    if seen is None:
        gateway, card = await vault(rt, token)

        async def work(session: AsyncSession) -> dict[str, Any]:
            row = await save_card(
                session,
                rt,
                customer_id=customer_id,
                gateway=gateway,
                card=card,
                billing_address=snapshot,
                make_default=make_default,
            )
            return {"payment_method_id": row.id}

        seen = await idempotency.run(
            rt,
            actor=actor,
            operation="addPaymentMethod",
            key=idempotency_key,
            request=request,
            work=work,
        )
    async with rt.db.read() as session:
        row = await _owned(session, customer_id, int(seen["payment_method_id"]))
    if row is None:
        # Replayed after the card it created was removed.
        raise ServiceError(ErrorCode.NOT_FOUND, _("Payment method not found."))
    return row


async def set_default_payment_method(
    rt: Runtime, *, customer_id: int, payment_method_id: int | None
) -> PaymentMethod:
    async with rt.db.transaction() as session:
        await _lock_customer(session, customer_id)
        row = (
            None
            if payment_method_id is None
            else await _owned(session, customer_id, payment_method_id)
        )
        if row is None:
            raise _not_found()
        if not row.is_default:
            await _clear_default(session, customer_id)
            row.is_default = True
            await session.flush()
    return row


async def remove_payment_method(
    rt: Runtime, *, customer_id: int, payment_method_id: int | None
) -> int:
    """Delete a card; removing the default leaves the customer with no default."""
    if payment_method_id is None:
        raise _not_found()
    async with rt.db.transaction() as session:
        removed = await session.scalar(
            delete(PaymentMethod)
            .where(
                col(PaymentMethod.id) == payment_method_id,
                col(PaymentMethod.customer_id) == customer_id,
            )
            .returning(col(PaymentMethod.id))
        )
        if removed is None:
            raise _not_found()
    return removed
