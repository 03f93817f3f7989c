"""Where a subscription ships and how it is paid: the address, the card, discount codes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from domain.actors import Actor
from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from domain.schedule import shop_today
from domain.topics import Topic
from models.address import ADDRESS_FIELDS, Address, PaymentMethod
from models.merchant import DiscountCode, DiscountRedemption
from models.shop import SHOP_ID, CustomerAccountSettings, Shop
from models.subscription import Subscription, SubscriptionDiscount, SubscriptionLine
from plumbing.runtime import Runtime
from services import payments
from services.addresses import clean_address
from services.subscription_pricing import price
from services.subscription_rules import PortalAction, refusal
from services.subscriptions import Change, change, subscription_not_found

# Codes stacked on one subscription; more is a script trying its luck, not a customer.
MAX_DISCOUNT_CODES = 5
MAX_CODE_LENGTH = 50
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


async def update_payment_method(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    payment_method_id: int | None,
    gateway_token: str | None,
    billing_address: Mapping[str, str | None] | None,
    actor: Actor,
) -> Subscription:
    """Charge future orders to a saved card, or to a new one from a gateway token (saved
    to the wallet as `addPaymentMethod` would)."""
    vaulted: tuple[Any, Any, dict[str, Any] | None] | None = None
    if gateway_token is not None:
        # The rule and the input first: the gateway call is slow and must not run for a
        # refusal, nor inside the subscription's transaction.
        await _check_allowed(
            rt,
            customer_id=customer_id,
            subscription_id=subscription_id,
            action=PortalAction.UPDATE_PAYMENT_METHOD,
        )
        _one_of(payment_method_id, gateway_token, _CARD_INPUTS, _CARD_CHOICE)
        token = payments.check_gateway_token(gateway_token)
        snapshot = (
            None
            if billing_address is None
            else clean_address(billing_address, path=["billingAddress"])
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

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.UPDATE_PAYMENT_METHOD,
        topic=Topic.SUBSCRIPTION_PAYMENT_METHOD_CHANGED,
        apply=apply,
    )


def _typed_code(code: str) -> str:
    typed = code.strip().upper()
    if not typed:
        raise ServiceError(ErrorCode.INVALID, _("Enter a discount code."), ["code"])
    return typed


def _invalid(reason: str) -> ServiceError:
    return ServiceError(ErrorCode.DISCOUNT_INVALID, reason, ["code"])


async def _count(ch: Change, stmt: Any) -> int:
    return int(await ch.session.scalar(stmt) or 0)


async def _check_code(ch: Change, row: DiscountCode | None) -> DiscountCode:
    """Why this code cannot be applied to this subscription now, in the order a customer
    can act on: does it exist, is it on offer, does the order qualify, is any use left."""
    if row is None:
        raise _invalid(_("This code does not exist."))
    if not row.active:
        raise _invalid(_("This code is no longer active."))
    if row.expires_at is not None and row.expires_at <= ch.now:
        raise _invalid(_("This code has expired."))
    sub_id = ch.sub.id
    if row.min_subtotal is not None:
        lines = await ch.session.scalars(
            select(SubscriptionLine).where(col(SubscriptionLine.subscription_id) == sub_id)
        )
        subtotal = price(list(lines.all()), [], ch.now).subtotal
        if subtotal < row.min_subtotal:
            raise _invalid(
                _(
                    "This code needs an order of at least {amount}.",
                    amount=f"{row.min_subtotal:.2f}",
                )
            )
    if row.usage_limit is not None and row.times_used >= row.usage_limit:
        raise _invalid(_("This code has been used as many times as it can be."))
    if row.per_customer_limit is not None:
        used = await _count(
            ch,
            select(func.count())
            .select_from(DiscountRedemption)
            .where(
                col(DiscountRedemption.discount_code_id) == row.id,
                col(DiscountRedemption.customer_id) == ch.sub.customer_id,
            ),
        )
        if used >= row.per_customer_limit:
            raise _invalid(_("You have already used this code as many times as it allows."))
    applied = await ch.session.scalars(
        select(col(SubscriptionDiscount.discount_code_id)).where(
            col(SubscriptionDiscount.subscription_id) == sub_id
        )
    )
    codes = set(applied.all())
    if row.id in codes:
        raise _invalid(_("This code is already applied."))
    if len(codes) >= MAX_DISCOUNT_CODES:
        raise _invalid(
            _("At most {count} codes can be applied; remove one first.", count=MAX_DISCOUNT_CODES)
        )
    return row


async def apply_discount_code(
    rt: Runtime, *, customer_id: int, subscription_id: int | None, code: str, actor: Actor
) -> Subscription:
    """Apply a code (any case) to the coming orders, once its conditions are checked."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        typed = _typed_code(code)
        found = None
        if len(typed) <= MAX_CODE_LENGTH:
            # Codes are stored upper-cased (models.merchant.DiscountCode).
            found = await ch.session.scalar(
                select(DiscountCode).where(col(DiscountCode.code) == typed)
            )
        row = await _check_code(ch, found)
        assert ch.sub.id is not None and row.id is not None
        ch.session.add(
            SubscriptionDiscount(
                subscription_id=ch.sub.id, discount_code_id=row.id, applied_at=ch.now
            )
        )
        return {"code": None}, {"code": row.code}

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.APPLY_DISCOUNT,
        topic=Topic.SUBSCRIPTION_DISCOUNT_APPLIED,
        apply=apply,
    )


async def remove_discount_code(
    rt: Runtime, *, customer_id: int, subscription_id: int | None, code: str, actor: Actor
) -> Subscription:
    """Take an applied code (any case) off the coming orders."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        typed = _typed_code(code)
        applied = await ch.session.scalar(
            select(SubscriptionDiscount)
            .join(DiscountCode, col(DiscountCode.id) == col(SubscriptionDiscount.discount_code_id))
            .where(
                col(SubscriptionDiscount.subscription_id) == ch.sub.id,
                col(DiscountCode.code) == typed,
            )
        )
        if applied is None:
            raise ServiceError(
                ErrorCode.NOT_FOUND, _("This code is not applied to the subscription."), ["code"]
            )
        await ch.session.delete(applied)
        return {"code": typed}, {"code": None}

    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.APPLY_DISCOUNT,
        topic=Topic.SUBSCRIPTION_DISCOUNT_REMOVED,
        apply=apply,
    )
