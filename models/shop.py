"""The store and the merchant's customer-account settings."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

# This deployment serves one store; its row always has this id.
SHOP_ID = 1


class Shop(SQLModel, table=True):
    """One row: this deployment serves one store."""

    __tablename__ = "shop"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    currency_code: str = Field(default="USD", max_length=3)
    time_zone: str = Field(default="UTC", max_length=64)
    locale: str = Field(default="en", max_length=35)


class CustomerAccountSettings(SQLModel, table=True):
    """Merchant flags deciding which self-service actions customers see."""

    __tablename__ = "customer_account_settings"

    shop_id: int = Field(foreign_key="shop.id", primary_key=True)
    order_cancellation_enabled: bool = False
    support_enabled: bool = True
    sub_change_next_order_date: bool = True
    sub_change_frequency: bool = True
    sub_edit_shipping_address: bool = True
    sub_update_payment_method: bool = True
    sub_swap_product: bool = True
    sub_change_variant: bool = True
    sub_get_now: bool = True
    sub_skip: bool = True
    sub_add_product: bool = True
    sub_apply_discount: bool = True
    sub_pause: bool = True
    sub_cancel: bool = True
    sub_reactivate: bool = True
