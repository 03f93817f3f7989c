"""SQLModel tables, one module per domain. Importing this package registers them all."""

from models import address, auth, catalog, customer, events, order, shop, ticket  # noqa: F401
from models.base import metadata

__all__ = ["metadata"]
