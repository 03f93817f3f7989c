"""The customer surface's context: the request context plus the signed-in viewer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import strawberry

from resolvers.context import RequestContext

if TYPE_CHECKING:
    from auth.sessions import Viewer
    from domain.actors import Actor


@dataclass
class CustomerContext(RequestContext):
    # The signed-in customer and session; None for an anonymous request.
    viewer: Viewer | None = None
    # The language userErrors answer in: the viewer's, else the client's
    # `Accept-Language` negotiated against the offered languages, else English.
    language: str = "en"

    @property
    def customer_id(self) -> int:
        """The viewer's customer id; only reached behind `IsAuthenticated`."""
        assert self.viewer is not None and self.viewer.customer.id is not None
        return self.viewer.customer.id

    @property
    def signed_in_actor(self) -> Actor:
        """The viewer as the actor of a write; only reached behind `IsAuthenticated`."""
        assert self.actor is not None
        return self.actor


Info: TypeAlias = strawberry.Info[CustomerContext, None]
