"""Who is acting: a customer today, an API key (the merchant side) or the system
(the worker) next. Idempotency keys and outbox events record it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum, unique


@unique
class ActorKind(StrEnum):
    CUSTOMER = "customer"
    API_KEY = "api_key"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    # The customer's or API key's id; a name for the system ("worker").
    id: str

    @classmethod
    def customer(cls, customer_id: int) -> Actor:
        return cls(ActorKind.CUSTOMER, str(customer_id))

    @classmethod
    def api_key(cls, key_id: int) -> Actor:
        return cls(ActorKind.API_KEY, str(key_id))

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(ActorKind.SYSTEM, name)

    @property
    def key(self) -> str:
        """How the actor is stored: `customer:42`, `api_key:7`, `system:worker`."""
        return f"{self.kind.value}:{self.id}"

    @classmethod
    def from_key(cls, key: str) -> Actor:
        kind, _, ident = key.partition(":")
        return cls(ActorKind(kind), ident)

    @property
    def customer_id(self) -> int | None:
        """The customer acting, or None for any other kind of actor."""
        return int(self.id) if self.kind is ActorKind.CUSTOMER else None
