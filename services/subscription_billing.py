"""Where a subscription ships and how it is paid: the address and the card."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from domain.actors import Actor
from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from domain.schedule import shop_today
from domain.topics import Topic
from models.address import ADDRESS_FIELDS, Address, PaymentMethod
from models.shop import SHOP_ID, CustomerAccountSettings, Shop
from models.subscription import Subscription
from plumbing import idempotency
from plumbing.runtime import Runtime
from services import payments
from services.addresses import clean_address
from services.subscription_rules import PortalAction, refusal
from services.subscriptions import Change, change, subscription_not_found

# Codes stacked on one subscription; more is a script trying its luck, not a customer.
_CARD_INPUTS = ("paymentMethodId", "gatewayToken")
# The refusals of each pair of alternative inputs: (neither given, both given).
_CARD_CHOICE = (
    _("Choose a saved card or a new one."),
    _("Give only one: a saved card or a new one."),
)
_ADDRESS_CHOICE = (
    _("Choose a saved address or a new one."),
    _("Give only one: a saved address or a new one."),
)


def _one_of(first: object, second: object, names: tuple[str, str], what: tuple[str, str]) -> None:
    """Exactly one of two alternative inputs; the error names the one to drop or give."""
    if first is None and second is None:
        raise ServiceError(ErrorCode.INVALID, what[0], [names[0]])
    if first is not None and second is not None:
        raise ServiceError(ErrorCode.INVALID, what[1], [names[1]])


async def update_address(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    address_id: int | None,
    fields: Mapping[str, str | None] | None,
    actor: Actor,
) -> Subscription:
    """Ship future orders to a saved address or a new one. Either is copied onto the
    subscription, so editing the saved address later changes nothing here."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        _one_of(address_id, fields, ("addressId", "address"), _ADDRESS_CHOICE)
        if fields is not None:
            snapshot = clean_address(fields, path=["address"])
        else:
            row = await ch.session.scalar(
                select(Address).where(
                    col(Address.id) == address_id, col(Address.customer_id) == customer_id
                )
            )
            if row is None:
                raise ServiceError(ErrorCode.NOT_FOUND, _("Address not found."), ["addressId"])
            snapshot = {name: getattr(row, name) for name in ADDRESS_FIELDS}
        before = {"shipping_address": ch.sub.shipping_address}
        ch.sub.shipping_address = snapshot
        return before, {"shipping_address": snapshot}

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.EDIT_SHIPPING_ADDRESS,
        topic=Topic.SUBSCRIPTION_ADDRESS_CHANGED,
        apply=apply,
    )


async def _check_allowed(
    rt: Runtime, *, customer_id: int, subscription_id: int | None, action: PortalAction
) -> None:
    """The action's rule, read without a lock: for checks that must come before slow I/O.
    `change` asks the rule again under the lock."""
    async with rt.db.read() as session:
        sub = None
        if subscription_id is not None:
            sub = await session.scalar(
                select(Subscription).where(
                    col(Subscription.id) == subscription_id,
                    col(Subscription.customer_id) == customer_id,
                )
            )
        settings = await session.get(CustomerAccountSettings, SHOP_ID)
        shop = await session.get(Shop, SHOP_ID)
    if sub is None:
        raise subscription_not_found()
    assert settings is not None and shop is not None
    refused = refusal(action, sub, settings, shop_today(rt.clock.now(), shop.time_zone))
    if refused is not None:
        raise refused


def _expired(card: PaymentMethod, today: date) -> bool:
    # A card is good through the last day of its expiry month.
    return (card.expiry_year, card.expiry_month) < (today.year, today.month)


# The Idempotency-Key scope of a new card given to a subscription.
NEW_CARD = "updateSubscriptionPaymentMethod"


async def _replayed(rt: Runtime, actor: Actor, key: str | None, request: dict[str, Any]) -> bool:
    async with rt.db.read() as session:
        seen = await idempotency.replay(
            session, actor=actor, operation=NEW_CARD, key=key, request=request
        )
    return seen is not None


async def _owned(rt: Runtime, customer_id: int, subscription_id: int | None) -> Subscription:
    async with rt.db.read() as session:
        sub = None if subscription_id is None else await session.get(Subscription, subscription_id)
    if sub is None or sub.customer_id != customer_id:
        raise subscription_not_found()
    return sub


async def update_payment_method(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    payment_method_id: int | None,
    gateway_token: str | None,
    billing_address: Mapping[str, str | None] | None,
    actor: Actor,
    idempotency_key: str | None = None,
) -> Subscription:
    """Charge future orders to a saved card, or to a new one from a gateway token (saved
    to the wallet as `addPaymentMethod` would).

    With a new card, an Idempotency-Key makes a retried call answer as the first one did
    instead of saving the card twice (the key is kept with the change it made).
    """
    vaulted: tuple[Any, Any, dict[str, Any] | None] | None = None
    request: dict[str, Any] = {}
    if gateway_token is not None:
        _one_of(payment_method_id, gateway_token, _CARD_INPUTS, _CARD_CHOICE)
        token = payments.check_gateway_token(gateway_token)
        snapshot = (
            None
            if billing_address is None
            else clean_address(billing_address, path=["billingAddress"])
        )
        request = {"subscription_id": subscription_id, "token": token, "billing_address": snapshot}
        if await _replayed(rt, actor, idempotency_key, request):
            return await _owned(rt, customer_id, subscription_id)
        # The rule first: the gateway call is slow and must not run for a refusal, nor
        # inside the subscription's transaction.
        await _check_allowed(
            rt,
            customer_id=customer_id,
            subscription_id=subscription_id,
            action=PortalAction.UPDATE_PAYMENT_METHOD,
        )
        await payments.check_room(rt, customer_id)
        gateway, card = await payments.vault(rt, token)
        vaulted = (gateway, card, snapshot)

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        if vaulted is not None:
            gateway, card, snapshot = vaulted
            row = await payments.save_card(
                ch.session,
                rt,
                customer_id=customer_id,
                gateway=gateway,
                card=card,
                billing_address=snapshot,
                make_default=False,
            )
            await idempotency.remember(
                ch.session,
                actor=actor,
                operation=NEW_CARD,
                key=idempotency_key,
                request=request,
                result={"payment_method_id": row.id},
                now=ch.now,
            )
        else:
            _one_of(payment_method_id, gateway_token, _CARD_INPUTS, _CARD_CHOICE)
            if billing_address is not None:
                raise ServiceError(
                    ErrorCode.INVALID,
                    _("A saved card keeps its billing address; give one only with a new card."),
                    ["billingAddress"],
                )
            found = await ch.session.scalar(
                select(PaymentMethod).where(
                    col(PaymentMethod.id) == payment_method_id,
                    col(PaymentMethod.customer_id) == customer_id,
                )
            )
            if found is None:
                raise ServiceError(
                    ErrorCode.NOT_FOUND, _("Payment method not found."), ["paymentMethodId"]
                )
            if _expired(found, ch.today):
                raise ServiceError(
                    ErrorCode.CARD_EXPIRED,
                    _("This card has expired. Choose another card."),
                    ["paymentMethodId"],
                )
            row = found
        before = {"payment_method_id": ch.sub.payment_method_id}
        ch.sub.payment_method_id = row.id
        return before, {"payment_method_id": row.id}

    try:
        return await change(
            rt,
            customer_id=customer_id,
            subscription_id=subscription_id,
            actor=actor,
            action=PortalAction.UPDATE_PAYMENT_METHOD,
            topic=Topic.SUBSCRIPTION_PAYMENT_METHOD_CHANGED,
            apply=apply,
        )
    except IntegrityError:
        # A concurrent call with the same key committed first: its answer is ours.
        if vaulted is None or not await _replayed(rt, actor, idempotency_key, request):
            raise
        return await _owned(rt, customer_id, subscription_id)
