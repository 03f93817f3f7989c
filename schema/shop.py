"""The store and the merchant's customer-account settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from models.shop import CustomerAccountSettings as SettingsRow
from models.shop import Shop as ShopRow
from schema.context import Info

if TYPE_CHECKING:
    from schema.catalog import ProductConnection


@strawberry.type(description="Which subscription actions the merchant lets customers take.")
class SubscriptionActionSettings:
    change_next_order_date: bool = strawberry.field(description="Move the next order date.")
    change_frequency: bool = strawberry.field(description="Change the delivery frequency.")
    edit_shipping_address: bool = strawberry.field(description="Edit the shipping address.")
    update_payment_method: bool = strawberry.field(description="Change the payment method.")
    swap_product: bool = strawberry.field(description="Swap a product for another.")
    change_variant: bool = strawberry.field(description="Change a product's variant.")
    get_now: bool = strawberry.field(description="Order the next delivery now.")
    skip: bool = strawberry.field(description="Skip upcoming orders.")
    add_product: bool = strawberry.field(description="Add one-time or recurring products.")
    apply_discount: bool = strawberry.field(description="Apply discount codes.")
    pause: bool = strawberry.field(description="Pause and unpause.")
    cancel: bool = strawberry.field(description="Cancel.")
    reactivate: bool = strawberry.field(description="Reactivate a cancelled subscription.")


@strawberry.type(
    description="Merchant flags that decide which actions customers see "
    "(the store's 'Customer Accounts Settings')."
)
class CustomerAccountSettings:
    order_cancellation_enabled: bool = strawberry.field(
        description="Customers may cancel open, unfulfilled orders."
    )
    support_enabled: bool = strawberry.field(description="Customers may open support tickets.")
    subscription_actions: SubscriptionActionSettings = strawberry.field(
        description="Which subscription actions are offered."
    )
    login_code_length: int = strawberry.field(description="Digits in a login code (4 to 8).")
    login_code_ttl_seconds: int = strawberry.field(description="How long a login code is valid.")

    @classmethod
    def from_row(
        cls, row: SettingsRow, *, code_length: int, code_ttl: int
    ) -> CustomerAccountSettings:
        return cls(
            order_cancellation_enabled=row.order_cancellation_enabled,
            support_enabled=row.support_enabled,
            subscription_actions=SubscriptionActionSettings(
                change_next_order_date=row.sub_change_next_order_date,
                change_frequency=row.sub_change_frequency,
                edit_shipping_address=row.sub_edit_shipping_address,
                update_payment_method=row.sub_update_payment_method,
                swap_product=row.sub_swap_product,
                change_variant=row.sub_change_variant,
                get_now=row.sub_get_now,
                skip=row.sub_skip,
                add_product=row.sub_add_product,
                apply_discount=row.sub_apply_discount,
                pause=row.sub_pause,
                cancel=row.sub_cancel,
                reactivate=row.sub_reactivate,
            ),
            login_code_length=code_length,
            login_code_ttl_seconds=code_ttl,
        )


@strawberry.type(description="Public store information.")
class Shop:
    name: str = strawberry.field(description="The store's name.")
    currency_code: str = strawberry.field(description="ISO 4217 code prices are shown in.")
    time_zone: str = strawberry.field(description="IANA time zone that `Date` values use.")
    settings: CustomerAccountSettings = strawberry.field(
        description="Which self-service actions the merchant enabled."
    )

    @strawberry.field(description="Catalogue search, for swap / add-product pickers.")
    async def products(
        self,
        info: Info,
        query: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Annotated[ProductConnection, strawberry.lazy("schema.catalog")]:
        """Active products whose title contains `query` (any case), by title."""
        from resolvers.catalog import search_products

        return await search_products(info, query, first, after)

    @classmethod
    def from_rows(
        cls, shop: ShopRow, settings: SettingsRow, *, code_length: int, code_ttl: int
    ) -> Shop:
        return cls(
            name=shop.name,
            currency_code=shop.currency_code,
            time_zone=shop.time_zone,
            settings=CustomerAccountSettings.from_row(
                settings, code_length=code_length, code_ttl=code_ttl
            ),
        )
