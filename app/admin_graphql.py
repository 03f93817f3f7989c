"""The merchant GraphQL endpoint: the customer endpoint's HTTP handling, its own context."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket

from app import graphiql
from app.auth import ApiKeyUser
from app.graphql import GraphQLApp, client_ip
from domain.actors import Actor
from resolvers.loaders import Loaders
from schema.admin.context import AdminContext


class AdminGraphQLApp(GraphQLApp):
    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(graphiql.page(request.url.path, admin=True))

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Any
    ) -> AdminContext:
        user = request.scope.get("user")
        principal = user.principal if isinstance(user, ApiKeyUser) else None
        key = request.headers.get("idempotency-key")
        assert isinstance(response, Response)
        state = request.scope.get("state", {})
        return AdminContext(
            request=request,  # type: ignore[arg-type]
            response=response,
            rt=self.rt,
            loaders=Loaders(db=self.rt.db),
            actor=None if principal is None else Actor.api_key(principal.key_id),
            principal=principal,
            request_id=state.get("request_id", "-"),
            client_ip=client_ip(request, trust_proxy=self.rt.settings.trust_proxy_headers),
            user_agent=request.headers.get("user-agent"),
            idempotency_key=key[:200] if key else None,
            deliveries=state.get("deliveries", []),
        )
