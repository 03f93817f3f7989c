"""The per-request context every surface's resolvers receive.

Each GraphQL surface subclasses it (the customer one adds the signed-in
viewer); what is common to every caller lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphql import GraphQLError
    from starlette.requests import Request
    from starlette.responses import Response

    from domain.actors import Actor
    from plumbing.deliveries import Delivery
    from plumbing.runtime import Runtime
    from resolvers.loaders import Loaders


@dataclass
class RequestContext:
    request: Request
    response: Response
    rt: Runtime
    loaders: Loaders
    # Who is calling, or None for an anonymous request.
    actor: Actor | None
    request_id: str
    client_ip: str
    user_agent: str | None
    # The client's `Idempotency-Key` header, honoured by side-effecting mutations.
    idempotency_key: str | None
    # The operation being run, once the document is parsed (for the access log).
    operation_name: str | None = None
    # Errors of fields that still answered a value (a connection refusing its
    # paging arguments answers empty): added to the response's `errors`.
    field_errors: list[GraphQLError] = field(default_factory=list)
    # Messages to send once the response is out (`plumbing.deliveries`).
    deliveries: list[Delivery] = field(default_factory=list)
