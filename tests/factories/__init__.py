"""Async builders for test data; each writes through its own transaction.

Callers use `from tests import factories` and `factories.customer(...)`; the builders
live in `accounts` (shop, customers, sessions, cards, tickets, addresses) and `orders`
(catalogue and orders), which share one sequence for unique values. Products, orders,
cards and tickets are made by `demo.builders`, as the demo store's are, so test data
has the same shape as what the demo shows.
"""

from __future__ import annotations

from tests.factories.accounts import (
    address,
    customer,
    login,
    payment_method,
    set_flags,
    shop,
    ticket,
)
from tests.factories.orders import DEFAULT_ADDRESS, order, product
from tests.factories.subscriptions import (
    discount_code,
    lines_of,
    portal_options,
    subscription,
)

__all__ = [
    "DEFAULT_ADDRESS",
    "address",
    "customer",
    "discount_code",
    "lines_of",
    "login",
    "order",
    "payment_method",
    "portal_options",
    "product",
    "set_flags",
    "shop",
    "subscription",
    "ticket",
]
