"""Who may read what. Every read a caller asks for by id passes through `can_read`.

A customer sees only rows that carry their own `customer_id`; anything of
someone else's is treated exactly like a row that does not exist, so an ID
reveals nothing. Merchant callers (API keys) and the system reach data through
surfaces that check their scopes before any read; ownership does not bind them.
"""

from __future__ import annotations

from typing import Any

from domain.actors import Actor, ActorKind
from models.catalog import Product, ProductVariant
from models.customer import Customer
from models.shop import CustomerAccountSettings, Shop

# Store-wide tables any signed-in customer may read (whether a product is still
# for sale is the catalogue's rule, not an ownership one).
PUBLIC: frozenset[type[Any]] = frozenset({Product, ProductVariant, Shop, CustomerAccountSettings})


def owner_of(model: type[Any], row: Any) -> int | None:
    """The id of the customer a row of `model` belongs to; None for rows nobody owns.

    Rows may be ORM instances or Core rows of the model's table: only column
    attributes are read.
    """
    owner = row.id if model is Customer else getattr(row, "customer_id", None)
    return owner if isinstance(owner, int) else None


def can_read(actor: Actor | None, model: type[Any], row: Any) -> bool:
    """Whether `actor` may see `row` (of `model`'s table); a customer sees their
    own rows and public ones."""
    if actor is None:
        return False
    if actor.kind is not ActorKind.CUSTOMER:
        return True
    if model in PUBLIC:
        return True
    owner = owner_of(model, row)
    return owner is not None and owner == actor.customer_id
