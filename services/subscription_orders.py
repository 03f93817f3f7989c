"""getNow: place a subscription's next order now, exactly once, never charging twice.

Three steps, so that no transaction is open while the gateway is called:

1. **Claim** (one transaction): check the GET_NOW rule under the row lock, then
   `UPDATE subscription SET last_early_order_on = today WHERE version = :seen AND
   last_early_order_on IS DISTINCT FROM today`. Of any number of concurrent calls
   (clicks, replicas) one wins; the rule refuses everyone after it with
   NOT_ALLOWED_IN_STATE, and the conditional UPDATE is the backstop. The same
   transaction prices the order (`subscription_pricing.price`, as `upcomingOrder`
   shows it), reserves each discount's usage with a conditional UPDATE, and stores
   the caller's `Idempotency-Key` as pending, so a key can never start two charges.
2. **Charge**, outside any transaction, with the gateway idempotency key
   `getnow:<subscription id>:<date>:<payment method id>`: one per cycle and card, so
   a retry of the same cycle charges once, and a retry with another card after a
   decline is a new charge. A decline undoes the claim (conditional UPDATEs), the
   discount reservations and the pending key: the subscription is as it was, and
   the answer is PAYMENT_DECLINED.
3. **Place** (one transaction): the order as claimed and charged, its lines,
   discounts, redemptions and first timeline step; the one-time lines it shipped
   are consumed, non-recurring codes it used are removed, and the schedule
   restarts from today. History entry, outbox event and the key's result commit
   with it.

Each claim is kept as an `early_order` row (CHARGING) until its outcome, and whoever
finishes it moves the row on with a conditional UPDATE, so only one of them writes.
If the process dies between the charge and the commit of step 3, the claim stays
(`last_early_order_on` = today, discount usage reserved, the key pending, the row
CHARGING): the customer cannot order again that day and a replay of the key answers
NOT_ALLOWED_IN_STATE ("still being processed"). Once the row is older than any
gateway call can take, the worker recovers it (`services.early_order_recovery`):
it charges again with the same gateway key, which returns the first charge if there
was one, and places the order, completing the key's result; or, after a decline,
releases the claim as a decline here does. The customer is charged once either way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from adapters.gateway import GatewayError
from domain.actors import Actor
from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from domain.statuses import RenewalStatus
from models.address import PaymentMethod
from models.order import Order
from models.subscription import EarlyOrder, Subscription
from plumbing import idempotency
from plumbing.runtime import Runtime
from services.early_orders import OPERATION, EarlyOrderClaim, outcome, place, release
from services.subscription_order_writer import (
    order_lines,
    price_and_reserve,
)
from services.subscription_rules import PortalAction
from services.subscriptions import open_change

# The stored result of a key whose call has claimed but not yet placed its order.
PENDING: dict[str, Any] = {"pending": True}


def _in_progress() -> ServiceError:
    return ServiceError(
        ErrorCode.NOT_ALLOWED_IN_STATE,
        _("This request is still being processed; send it again to get its result."),
        ["subscriptionId"],
    )


def _finished(seen: dict[str, Any]) -> dict[str, Any]:
    if seen.get("pending"):
        raise _in_progress()
    return seen


async def _claim(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    actor: Actor,
    idempotency_key: str | None,
    request: dict[str, Any],
) -> EarlyOrderClaim | dict[str, Any]:
    """Step 1; returns the first call's result instead when the key was seen before."""
    async with rt.db.transaction() as session:
        seen = await idempotency.replay(
            session, actor=actor, operation=OPERATION, key=idempotency_key, request=request
        )
        if seen is not None:
            return _finished(seen)
        ch = await open_change(
            rt,
            session,
            customer_id=customer_id,
            subscription_id=subscription_id,
            actor=actor,
            action=PortalAction.GET_NOW,
        )
        await idempotency.remember(
            session,
            actor=actor,
            operation=OPERATION,
            key=idempotency_key,
            request=request,
            result=PENDING,
            now=ch.now,
        )
        sub = ch.sub
        assert sub.id is not None
        claimed = await session.execute(
            update(Subscription)
            .where(
                col(Subscription.id) == sub.id,
                col(Subscription.version) == sub.version,
                or_(
                    col(Subscription.last_early_order_on).is_(None),
                    col(Subscription.last_early_order_on) != ch.today,
                ),
            )
            .values(last_early_order_on=ch.today)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise ServiceError(
                ErrorCode.NOT_ALLOWED_IN_STATE,
                _("An order was already placed today; the next one follows the schedule."),
                ["subscriptionId"],
            )
        card = await session.get(PaymentMethod, sub.payment_method_id)
        if card is None or card.customer_id != customer_id:
            raise ServiceError(
                ErrorCode.NOT_ALLOWED_IN_STATE, _("Add a payment method first."), ["subscriptionId"]
            )
        lines = await order_lines(session, sub.id)
        if not lines:
            raise ServiceError(
                ErrorCode.NOT_ALLOWED_IN_STATE, _("There is nothing to order."), ["subscriptionId"]
            )
        priced, codes = await price_and_reserve(session, lines, customer_id, ch.now)
        code_ids = [code.id for code in codes if code.id is not None]
        record = EarlyOrder(
            subscription_id=sub.id,
            shop_day=ch.today,
            payment_method_id=card.id,
            status=RenewalStatus.CHARGING,
            gateway_key="",
            amount=priced.total,
            code_ids=code_ids,
            previous_early_order_on=sub.last_early_order_on,
            actor=actor.key,
            idempotency_key=idempotency_key,
            requested_at=ch.now,
            claimed_at=ch.now,
        )
        claim = EarlyOrderClaim(
            customer_id=customer_id,
            subscription_id=sub.id,
            actor=actor,
            today=ch.today,
            now=ch.now,
            previous_early_order_on=sub.last_early_order_on,
            currency_code=sub.currency_code,
            card=card,
            lines=lines,
            priced=priced,
            codes=codes,
            idempotency_key=idempotency_key,
            early_order_id=0,
        )
        record.gateway_key = claim.gateway_key
        session.add(record)
        await session.flush()
        assert record.id is not None
        claim.early_order_id = record.id
        return claim


async def _committed(rt: Runtime, result: dict[str, Any]) -> tuple[Order, Subscription]:
    async with rt.db.read() as session:
        order = await session.get(Order, result["order_id"])
        sub = await session.get(Subscription, result["subscription_id"])
    assert order is not None and sub is not None
    return order, sub


async def get_now(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    actor: Actor,
    idempotency_key: str | None,
) -> tuple[Order, Subscription]:
    """Place the subscription's next order now; returns the order and the subscription.

    A replay with the same Idempotency-Key returns the first call's order.
    """
    request = {"subscription_id": subscription_id}
    try:
        claimed = await _claim(
            rt,
            customer_id=customer_id,
            subscription_id=subscription_id,
            actor=actor,
            idempotency_key=idempotency_key,
            request=request,
        )
    except (IntegrityError, ServiceError):
        # A concurrent call with the same key may have claimed first: its result, or
        # "still being processed", is the answer; otherwise our own refusal is.
        if not idempotency_key:
            raise
        async with rt.db.read() as session:
            seen = await idempotency.replay(
                session, actor=actor, operation=OPERATION, key=idempotency_key, request=request
            )
        if seen is None:
            raise
        return await _committed(rt, _finished(seen))
    if not isinstance(claimed, EarlyOrderClaim):
        return await _committed(rt, claimed)
    try:
        charge = await rt.gateway.charge(
            claimed.card.gateway_reference,
            claimed.priced.total,
            claimed.currency_code,
            claimed.gateway_key,
        )
    except GatewayError as error:
        if await release(rt, claimed.early_order_id, error.message):
            raise ServiceError(
                ErrorCode.PAYMENT_DECLINED, error.message, ["subscriptionId"]
            ) from None
        return await _committed(rt, await outcome(rt, claimed.early_order_id))
    placed = await place(rt, claimed, charge.id)
    return await _committed(rt, placed or await outcome(rt, claimed.early_order_id))
