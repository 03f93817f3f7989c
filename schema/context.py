"""The per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import strawberry

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from auth.sessions import Viewer
    from resolvers.loaders import Loaders
    from services.runtime import Runtime


@dataclass
class Context:
    request: Request
    response: Response
    rt: Runtime
    loaders: Loaders
    viewer: Viewer | None
    request_id: str
    client_ip: str
    user_agent: str | None
    # The client's `Idempotency-Key` header, honoured by side-effecting mutations.
    idempotency_key: str | None

    @property
    def customer_id(self) -> int:
        """The viewer's customer id; only reached behind `IsAuthenticated`."""
        assert self.viewer is not None and self.viewer.customer.id is not None
        return self.viewer.customer.id


Info: TypeAlias = strawberry.Info[Context, None]
