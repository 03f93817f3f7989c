"""What a customer may do to a subscription now: one rule per action.

`refusal(action, ...)` is the single decision. `Subscription.actions` shows
each `can…` flag as `refusal(...) is None`, and every mutation raises the
refusal it returns before touching anything, so the portal never offers an
action the API would refuse, nor hides one it would accept.

Codes: ACTION_DISABLED when the merchant has switched the action off (or, for
frequencies, offers only one); NOT_ALLOWED_IN_STATE when the subscription's
state forbids it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum, unique

from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from domain.merchant import HasMerchantFlags, SubscriptionAction, allows
from domain.statuses import SubscriptionStatus
from models.subscription import Subscription

ACTIVE = frozenset({SubscriptionStatus.ACTIVE})
PAUSED = frozenset({SubscriptionStatus.PAUSED})
CANCELLED = frozenset({SubscriptionStatus.CANCELLED})
LIVE = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED})
# Past due: the renewal went unpaid after every retry. The customer may put another
# card on it and order with getNow (which makes it active again), or cancel.
ORDERABLE = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE})
PAYABLE = LIVE | {SubscriptionStatus.PAST_DUE}


@unique
class PortalAction(StrEnum):
    """Everything the portal can do to a subscription; `Subscription.actions` has a flag each."""

    CHANGE_NEXT_ORDER_DATE = "change_next_order_date"
    CHANGE_FREQUENCY = "change_frequency"
    EDIT_SHIPPING_ADDRESS = "edit_shipping_address"
    UPDATE_PAYMENT_METHOD = "update_payment_method"
    SWAP_PRODUCT = "swap_product"
    CHANGE_VARIANT = "change_variant"
    GET_NOW = "get_now"
    SKIP = "skip"
    UNSKIP = "unskip"
    ADD_PRODUCT = "add_product"
    EDIT_LINES = "edit_lines"
    APPLY_DISCOUNT = "apply_discount"
    PAUSE = "pause"
    UNPAUSE = "unpause"
    CANCEL = "cancel"
    ACCEPT_RETENTION_OFFER = "accept_retention_offer"
    REACTIVATE = "reactivate"


# A further condition: the refusal's code and message, or None when it holds.
Condition = Callable[[Subscription, date], tuple[ErrorCode, str] | None]


@dataclass(frozen=True)
class Rule:
    switch: SubscriptionAction
    states: frozenset[SubscriptionStatus]
    condition: Condition | None = None


def _frequency_changeable(sub: Subscription, today: date) -> tuple[ErrorCode, str] | None:
    if sub.is_prepaid:
        return ErrorCode.NOT_ALLOWED_IN_STATE, _(
            "The frequency of a prepaid subscription is fixed."
        )
    if len(sub.allowed_frequencies) <= 1:
        return ErrorCode.ACTION_DISABLED, _("This subscription is offered at one frequency only.")
    return None


def _early_order_possible(sub: Subscription, today: date) -> tuple[ErrorCode, str] | None:
    if sub.is_prepaid:
        return ErrorCode.NOT_ALLOWED_IN_STATE, _("Prepaid orders ship on their schedule.")
    if sub.last_early_order_on == today:
        return (
            ErrorCode.NOT_ALLOWED_IN_STATE,
            _("An order was already placed today; the next one follows the schedule."),
        )
    if sub.payment_method_id is None:
        return ErrorCode.NOT_ALLOWED_IN_STATE, _("Add a payment method first.")
    if sub.next_order_date is not None and sub.next_order_date <= today:
        # The renewal worker places a due order; an early one beside it would ship twice.
        return ErrorCode.NOT_ALLOWED_IN_STATE, _("Today's order is already being placed.")
    return None


def _offer_unused(sub: Subscription, today: date) -> tuple[ErrorCode, str] | None:
    if sub.retention_accepted_at is not None:
        return ErrorCode.NOT_ALLOWED_IN_STATE, _(
            "An offer was already accepted on this subscription."
        )
    return None


RULES: dict[PortalAction, Rule] = {
    PortalAction.CHANGE_NEXT_ORDER_DATE: Rule(SubscriptionAction.CHANGE_NEXT_ORDER_DATE, ACTIVE),
    PortalAction.CHANGE_FREQUENCY: Rule(
        SubscriptionAction.CHANGE_FREQUENCY, LIVE, _frequency_changeable
    ),
    PortalAction.EDIT_SHIPPING_ADDRESS: Rule(SubscriptionAction.EDIT_SHIPPING_ADDRESS, LIVE),
    PortalAction.UPDATE_PAYMENT_METHOD: Rule(SubscriptionAction.UPDATE_PAYMENT_METHOD, PAYABLE),
    PortalAction.SWAP_PRODUCT: Rule(SubscriptionAction.SWAP_PRODUCT, LIVE),
    PortalAction.CHANGE_VARIANT: Rule(SubscriptionAction.CHANGE_VARIANT, LIVE),
    PortalAction.GET_NOW: Rule(SubscriptionAction.GET_NOW, ORDERABLE, _early_order_possible),
    PortalAction.SKIP: Rule(SubscriptionAction.SKIP, ACTIVE),
    PortalAction.UNSKIP: Rule(SubscriptionAction.SKIP, ACTIVE),
    PortalAction.ADD_PRODUCT: Rule(SubscriptionAction.ADD_PRODUCT, LIVE),
    PortalAction.EDIT_LINES: Rule(SubscriptionAction.EDIT_LINES, LIVE),
    PortalAction.APPLY_DISCOUNT: Rule(SubscriptionAction.APPLY_DISCOUNT, LIVE),
    PortalAction.PAUSE: Rule(SubscriptionAction.PAUSE, ACTIVE),
    PortalAction.UNPAUSE: Rule(SubscriptionAction.PAUSE, PAUSED),
    PortalAction.CANCEL: Rule(SubscriptionAction.CANCEL, PAYABLE),
    PortalAction.ACCEPT_RETENTION_OFFER: Rule(SubscriptionAction.CANCEL, LIVE, _offer_unused),
    PortalAction.REACTIVATE: Rule(SubscriptionAction.REACTIVATE, CANCELLED),
}

_STATE_MESSAGES = {
    SubscriptionStatus.ACTIVE: _("This subscription is active."),
    SubscriptionStatus.PAUSED: _("This subscription is paused; unpause it first."),
    SubscriptionStatus.CANCELLED: _("This subscription is cancelled; reactivate it first."),
    SubscriptionStatus.PAST_DUE: _(
        "The last renewal is unpaid; update the payment method and order now first."
    ),
}


def refusal(
    action: PortalAction, sub: Subscription, settings: HasMerchantFlags, today: date
) -> ServiceError | None:
    """Why `action` is refused for `sub` today, or None when it is allowed."""
    rule = RULES[action]
    if not allows(settings, rule.switch):
        return ServiceError(
            ErrorCode.ACTION_DISABLED, _("This store does not offer this change online.")
        )
    if sub.status not in rule.states:
        return ServiceError(
            ErrorCode.NOT_ALLOWED_IN_STATE, _STATE_MESSAGES[sub.status], ["subscriptionId"]
        )
    if rule.condition is not None:
        refused = rule.condition(sub, today)
        if refused is not None:
            code, message = refused
            field = None if code is ErrorCode.ACTION_DISABLED else ["subscriptionId"]
            return ServiceError(code, message, field)
    return None


def allowed_actions(
    sub: Subscription, settings: HasMerchantFlags, today: date
) -> dict[PortalAction, bool]:
    """Every action and whether it is allowed now, decided by `refusal`."""
    return {action: refusal(action, sub, settings, today) is None for action in PortalAction}
