"""The store and the merchant's customer-account settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Field, SQLModel

from domain.merchant import SubscriptionAction

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


def _subscription_action_columns() -> Any:
    """A base with one boolean column per `SubscriptionAction`, all on by default."""
    names = [action.column_name for action in SubscriptionAction]
    namespace: dict[str, Any] = {"__annotations__": dict.fromkeys(names, bool)}
    namespace.update({name: Field(default=True) for name in names})
    return type("SubscriptionActionColumns", (SQLModel,), namespace)


if TYPE_CHECKING:
    # The columns are read through `domain.merchant.allows`, never by name.
    _SubscriptionActionColumns = SQLModel
else:
    _SubscriptionActionColumns = _subscription_action_columns()


class CustomerAccountSettings(_SubscriptionActionColumns, table=True):
    """Merchant flags deciding which self-service actions customers see."""

    __tablename__ = "customer_account_settings"

    shop_id: int = Field(foreign_key="shop.id", primary_key=True)
    order_cancellation_enabled: bool = False
    support_enabled: bool = True
    # How many orders one skip may pass over.
    max_skip_cycles: int = 3
    # How far ahead (days) a customer may move a next order date.
    date_horizon_days: int = 180
    # Days after a declined renewal's cycle date to retry ("1,3,7"); null: DUNNING_SCHEDULE.
    dunning_schedule: str | None = Field(default=None, max_length=100)
    # Days before an order that its customer is told of it; null: UPCOMING_ORDER_NOTICE_DAYS.
    upcoming_order_notice_days: int | None = None
