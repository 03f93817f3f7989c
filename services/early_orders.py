"""getNow's early orders after the claim: their outcome, and the worker's recovery.

`subscription_orders.get_now` claims an early order (an `early_order` row, CHARGING),
charges the card outside any transaction, then finishes it here: `place` or, after a
decline, `release`. Each first moves the row out of CHARGING with a conditional
UPDATE, so of the request and a worker finishing the same claim only one writes.

A request that died between its charge and its commit leaves the row CHARGING. Once
the claim is older than `STALE_CLAIM` (far longer than any gateway call), the worker
takes it (`claim_stale`, FOR UPDATE SKIP LOCKED, so workers share them) and
`recover`s it: the lines and codes read again, priced as at the request, the card
charged again with the claim's gateway key (the gateway answers with the first
charge when there was one: no money taken twice) and the order placed, completing
the Idempotency-Key's result; or, after a decline or with no card or lines left, the
claim released. The order is dated when the customer asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adapters.gateway import GatewayError
from domain.actors import Actor
from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from domain.statuses import RenewalStatus
from models.address import PaymentMethod
from models.events import IdempotencyKey
from models.merchant import DiscountCode
from models.subscription import EarlyOrder, Subscription
from plumbing.runtime import Runtime
from services.renewals import STALE_CLAIM
from services.subscription_order_writer import Claim, order_lines, place_order, release_codes
from services.subscription_pricing import price

OPERATION = "getNow"
# Kept in the claim's row (read by the merchant side); the customer who asked is long gone.
NO_CARD = "The payment method of this order is no longer on file."
NOTHING = "There is nothing to order."
# What a request that outlived its claim answers when the worker released it.
DECLINED = _("The card was declined. Try another card.")


@dataclass
class EarlyOrderClaim(Claim):
    """A claimed getNow order and the `early_order` row that records it."""

    early_order_id: int


def _key_row(actor: str, key: str | None) -> Any:
    return (
        col(IdempotencyKey.actor) == actor,
        col(IdempotencyKey.operation) == OPERATION,
        col(IdempotencyKey.key) == key,
    )


async def _finish(
    session: AsyncSession, early_order_id: int, status: RenewalStatus, **values: Any
) -> bool:
    """Move the early order out of CHARGING; False when someone else already did."""
    moved = await session.execute(
        update(EarlyOrder)
        .where(
            col(EarlyOrder.id) == early_order_id, col(EarlyOrder.status) == RenewalStatus.CHARGING
        )
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(moved.rowcount == 1)  # type: ignore[attr-defined]


async def release(rt: Runtime, early_order_id: int, message: str) -> bool:
    """Undo step 1 after a decline: the subscription, the codes and the key as they were.

    Everything to undo is read from the `early_order` row, so the worker can release a
    claim whose request died. False when the claim was already finished.
    """
    async with rt.db.transaction() as session:
        if not await _finish(
            session,
            early_order_id,
            RenewalStatus.DECLINED,
            decline_message=message[:500],
            finished_at=rt.clock.now(),
        ):
            return False
        row = await session.get(EarlyOrder, early_order_id)
        assert row is not None
        await session.execute(
            update(Subscription)
            .where(
                col(Subscription.id) == row.subscription_id,
                col(Subscription.last_early_order_on) == row.shop_day,
            )
            .values(last_early_order_on=row.previous_early_order_on)
            .execution_options(synchronize_session=False)
        )
        await release_codes(session, row.code_ids)
        if row.idempotency_key:
            await session.execute(
                delete(IdempotencyKey).where(*_key_row(row.actor, row.idempotency_key))
            )
    return True


async def place(rt: Runtime, claim: EarlyOrderClaim, charge_id: str) -> dict[str, Any] | None:
    """Step 3: the order, the subscription's changes and the key's result, in one transaction.

    None when the claim was already finished by someone else (the worker recovering it).
    """
    async with rt.db.transaction() as session:
        if not await _finish(
            session,
            claim.early_order_id,
            RenewalStatus.SUCCEEDED,
            charge_id=charge_id,
            finished_at=rt.clock.now(),
        ):
            return None
        result = await place_order(rt, session, claim, charge_id)
        await session.execute(
            update(EarlyOrder)
            .where(col(EarlyOrder.id) == claim.early_order_id)
            .values(order_id=result["order_id"])
            .execution_options(synchronize_session=False)
        )
        if claim.idempotency_key:
            await session.execute(
                update(IdempotencyKey)
                .where(*_key_row(claim.actor.key, claim.idempotency_key))
                .values(result=result)
            )
    return result


async def outcome(rt: Runtime, early_order_id: int) -> dict[str, Any]:
    """What became of a claim someone else finished: its order, or its decline."""
    async with rt.db.read() as session:
        row = await session.get(EarlyOrder, early_order_id)
    assert row is not None
    if row.order_id is None:
        raise ServiceError(ErrorCode.PAYMENT_DECLINED, DECLINED, ["subscriptionId"])
    return {"order_id": row.order_id, "subscription_id": row.subscription_id}


@dataclass(frozen=True)
class Recovered:
    """One recovered claim, as the worker logs it."""

    job_id: str
    subscription_id: int
    # order_placed, declined or already_done
    outcome: str
    order_id: int | None = None


async def _rebuild(session: AsyncSession, row: EarlyOrder) -> EarlyOrderClaim | str:
    """The claim as the request held it, or why it can no longer be placed."""
    assert row.id is not None
    sub = await session.get(Subscription, row.subscription_id)
    assert sub is not None and sub.id is not None
    card = None
    if row.payment_method_id is not None:
        card = await session.get(PaymentMethod, row.payment_method_id)
    if card is None or card.customer_id != sub.customer_id:
        return NO_CARD
    lines = await order_lines(session, sub.id)
    if not lines:
        return NOTHING
    codes = list(
        (
            await session.scalars(
                select(DiscountCode).where(col(DiscountCode.id).in_(row.code_ids))
            )
        ).all()
    )
    return EarlyOrderClaim(
        customer_id=sub.customer_id,
        subscription_id=sub.id,
        actor=Actor.from_key(row.actor),
        today=row.shop_day,
        now=row.requested_at,
        previous_early_order_on=row.previous_early_order_on,
        currency_code=sub.currency_code,
        card=card,
        lines=lines,
        priced=price([item.line for item in lines], codes, row.requested_at),
        codes=codes,
        idempotency_key=row.idempotency_key,
        early_order_id=row.id,
    )


async def claim_stale(rt: Runtime, batch: int) -> list[EarlyOrderClaim | tuple[int, int, str]]:
    """Up to `batch` claims left by dead requests, taken for this worker.

    Each is a claim to charge and place, or (early order id, subscription id, reason)
    for one to release.
    """
    now = rt.clock.now()
    async with rt.db.transaction() as session:
        rows = (
            await session.scalars(
                select(EarlyOrder)
                .where(
                    col(EarlyOrder.status) == RenewalStatus.CHARGING,
                    col(EarlyOrder.claimed_at) <= now - STALE_CLAIM,
                )
                .order_by(col(EarlyOrder.id))
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
        ).all()
        taken: list[EarlyOrderClaim | tuple[int, int, str]] = []
        for row in rows:
            assert row.id is not None
            row.claimed_at = now  # ours now: no other worker takes it while we charge
            rebuilt = await _rebuild(session, row)
            taken.append(
                rebuilt
                if isinstance(rebuilt, EarlyOrderClaim)
                else (row.id, row.subscription_id, rebuilt)
            )
    return taken


async def recover(rt: Runtime, item: EarlyOrderClaim | tuple[int, int, str]) -> Recovered:
    """Charge (again, with the same key) and place one stale claim, or release it."""
    if not isinstance(item, EarlyOrderClaim):
        early_order_id, subscription_id, reason = item
        done = await release(rt, early_order_id, reason)
        return Recovered(
            f"early_order:{early_order_id}", subscription_id, "declined" if done else "already_done"
        )
    job_id = f"early_order:{item.early_order_id}"
    try:
        charge = await rt.gateway.charge(
            item.card.gateway_reference, item.priced.total, item.currency_code, item.gateway_key
        )
    except GatewayError as error:
        done = await release(rt, item.early_order_id, error.message)
        return Recovered(job_id, item.subscription_id, "declined" if done else "already_done")
    placed = await place(rt, item, charge.id)
    if placed is None:
        return Recovered(job_id, item.subscription_id, "already_done")
    return Recovered(job_id, item.subscription_id, "order_placed", placed["order_id"])


async def recover_stale(rt: Runtime, batch: int) -> list[Recovered]:
    """One batch of stale claims recovered; their outcomes."""
    return [await recover(rt, item) for item in await claim_stale(rt, batch)]


async def oldest_stale(rt: Runtime) -> tuple[datetime | None, int]:
    """Since when the oldest claim has been waiting for recovery, and how many wait."""
    now = rt.clock.now()
    async with rt.db.read() as session:
        oldest, count = (
            await session.execute(
                select(func.min(EarlyOrder.claimed_at), func.count()).where(
                    col(EarlyOrder.status) == RenewalStatus.CHARGING,
                    col(EarlyOrder.claimed_at) <= now - STALE_CLAIM,
                )
            )
        ).one()
    return (None if oldest is None else oldest + STALE_CLAIM), int(count)
