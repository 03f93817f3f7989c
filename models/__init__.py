"""SQLModel tables, one module per domain. Importing this package registers them all."""

from models import (  # noqa: F401
    address,
    api_key,
    auth,
    catalog,
    customer,
    events,
    merchant,
    order,
    shop,
    subscription,
    ticket,
    webhooks,
)
from models.base import metadata

__all__ = ["metadata"]
