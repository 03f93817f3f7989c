"""What an API key may do: the merchant surface's scopes, one per resource and verb."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class Scope(StrEnum):
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_WRITE = "customers:write"
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    PRODUCTS_WRITE = "products:write"
    SUBSCRIPTIONS_WRITE = "subscriptions:write"
    TICKETS_READ = "tickets:read"
    TICKETS_WRITE = "tickets:write"
    SETTINGS_READ = "settings:read"
    SETTINGS_WRITE = "settings:write"
    WEBHOOKS_WRITE = "webhooks:write"
