"""The merchant surface's context: the request context plus the calling API key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import strawberry

from resolvers.context import RequestContext

if TYPE_CHECKING:
    from auth.api_keys import Principal
    from domain.actors import Actor


@dataclass
class AdminContext(RequestContext):
    # The API key behind the request; None without credentials.
    principal: Principal | None = None

    @property
    def key_actor(self) -> Actor:
        """The key as the actor of a write; only reached behind a scope permission."""
        assert self.actor is not None
        return self.actor


Info: TypeAlias = strawberry.Info[AdminContext, None]
