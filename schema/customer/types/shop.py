"""The store and the merchant's customer-account settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry

from domain.merchant import SubscriptionAction, subscription_actions
from models.shop import SHOP_ID
from models.shop import CustomerAccountSettings as SettingsRow
from models.shop import Shop as ShopRow
from resolvers.context import RequestContext
from schema.common.pagination import PAGING, connection
from schema.customer.context import Info
from schema.customer.types.catalog import Product, ProductConnection, ProductEdge
from services import catalog


def _subscription_action_settings() -> Any:
    """One Boolean field per `domain.merchant.SubscriptionAction`, in declaration order."""
    names = [action.value for action in SubscriptionAction]
    namespace: dict[str, Any] = {"__annotations__": dict.fromkeys(names, bool)}
    for action in SubscriptionAction:
        namespace[action.value] = strawberry.field(description=action.description)
    cls = type("SubscriptionActionSettings", (), namespace)
    return strawberry.type(
        cls, description="Which subscription actions the merchant lets customers take."
    )


if TYPE_CHECKING:

    class SubscriptionActionSettings:
        def __init__(self, **flags: bool) -> None: ...

else:
    SubscriptionActionSettings = _subscription_action_settings()


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
    max_skip_cycles: int = strawberry.field(
        description="How many orders one skipOrder may pass over."
    )
    date_horizon_days: int = strawberry.field(
        description="How many days ahead a next order date may be set."
    )
    login_code_length: int = strawberry.field(description="Digits in a login code (4 to 8).")
    login_code_ttl_seconds: int = strawberry.field(description="How long a login code is valid.")

    @classmethod
    def from_row(
        cls, row: SettingsRow, *, code_length: int, code_ttl: int
    ) -> CustomerAccountSettings:
        flags = {action.value: on for action, on in subscription_actions(row).items()}
        return cls(
            order_cancellation_enabled=row.order_cancellation_enabled,
            support_enabled=row.support_enabled,
            subscription_actions=SubscriptionActionSettings(**flags),
            max_skip_cycles=row.max_skip_cycles,
            date_horizon_days=row.date_horizon_days,
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

    @strawberry.field(description=f"Catalogue search, for swap / add-product pickers. {PAGING}")
    async def products(
        self,
        info: Info,
        query: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ProductConnection:
        """Active products whose title contains `query` (any case), by title."""
        read = catalog.search_products(info.context.rt, query=query, first=first, after=after)
        return await connection(
            info.context,
            read,
            connection_type=ProductConnection,
            edge_type=ProductEdge,
            node=Product.from_row,
            path=info.path,
        )

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


async def load_shop(ctx: RequestContext) -> Shop:
    loaders, settings = ctx.loaders, ctx.rt.settings
    shop = await loaders.shop_by_id.load(SHOP_ID)
    flags = await loaders.settings_by_shop_id.load(SHOP_ID)
    if shop is None or flags is None:
        raise RuntimeError("the shop is not set up: run `migrate` and `seed`")
    return Shop.from_rows(
        shop, flags, code_length=settings.login_code_length, code_ttl=settings.login_code_ttl
    )
