"""The merchant's switches for self-service, declared once.

`SubscriptionAction` lists every subscription action a merchant can offer or
withhold, with what it lets the customer do. The settings table gets one
boolean column per member (`column_name`), the customer schema one field per
member, and the rules ask `allows(settings, action)`; the admin API will
derive its inputs from the same list.
"""

from __future__ import annotations

from enum import StrEnum, unique
from typing import Protocol


@unique
class SubscriptionAction(StrEnum):
    """A subscription action; the value is its snake_case name."""

    CHANGE_NEXT_ORDER_DATE = "change_next_order_date"
    CHANGE_FREQUENCY = "change_frequency"
    EDIT_SHIPPING_ADDRESS = "edit_shipping_address"
    UPDATE_PAYMENT_METHOD = "update_payment_method"
    SWAP_PRODUCT = "swap_product"
    CHANGE_VARIANT = "change_variant"
    GET_NOW = "get_now"
    SKIP = "skip"
    ADD_PRODUCT = "add_product"
    EDIT_LINES = "edit_lines"
    APPLY_DISCOUNT = "apply_discount"
    PAUSE = "pause"
    CANCEL = "cancel"
    REACTIVATE = "reactivate"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]

    @property
    def column_name(self) -> str:
        """The settings table's column for this switch."""
        return f"sub_{self.value}"


_DESCRIPTIONS: dict[SubscriptionAction, str] = {
    SubscriptionAction.CHANGE_NEXT_ORDER_DATE: "Move the next order date.",
    SubscriptionAction.CHANGE_FREQUENCY: "Change the delivery frequency.",
    SubscriptionAction.EDIT_SHIPPING_ADDRESS: "Edit the shipping address.",
    SubscriptionAction.UPDATE_PAYMENT_METHOD: "Change the payment method.",
    SubscriptionAction.SWAP_PRODUCT: "Swap a product for another.",
    SubscriptionAction.CHANGE_VARIANT: "Change a product's variant.",
    SubscriptionAction.GET_NOW: "Order the next delivery now.",
    SubscriptionAction.SKIP: "Skip upcoming orders.",
    SubscriptionAction.ADD_PRODUCT: "Add one-time or recurring products.",
    SubscriptionAction.EDIT_LINES: "Change quantities and remove products.",
    SubscriptionAction.APPLY_DISCOUNT: "Apply discount codes.",
    SubscriptionAction.PAUSE: "Pause and unpause.",
    SubscriptionAction.CANCEL: "Cancel.",
    SubscriptionAction.REACTIVATE: "Reactivate a cancelled subscription.",
}


class HasMerchantFlags(Protocol):
    """Anything carrying the merchant's switches (the settings row)."""

    order_cancellation_enabled: bool
    support_enabled: bool


def allows(settings: HasMerchantFlags, action: SubscriptionAction) -> bool:
    """Whether the merchant offers `action` to customers."""
    return bool(getattr(settings, action.column_name))


def subscription_actions(settings: HasMerchantFlags) -> dict[SubscriptionAction, bool]:
    """Every subscription switch and its value, in declaration order."""
    return {action: allows(settings, action) for action in SubscriptionAction}
