"""The customer GraphQL endpoint: Strawberry's ASGI view with its context and orjson."""

from __future__ import annotations

import contextvars
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from app import graphiql
from app.auth import CustomerUser
from app.errors import GRAPHQL_RESPONSE, JSON, error_response, response_media_type
from app.languages import request_language
from app.logs import request_id_var
from domain.actors import Actor
from plumbing.deliveries import Delivery
from plumbing.runtime import Runtime
from resolvers.context import RequestContext
from resolvers.loaders import Loaders
from schema.customer.context import CustomerContext


def client_ip(request: Request | WebSocket, *, trust_proxy: bool) -> str:
    if trust_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            # Our proxy appends the address it saw; anything to its left was
            # written by the client and could be anything.
            return forwarded.split(",")[-1].strip()[:64]
    return request.client.host if request.client else "unknown"


# Set on the request's state when the response is a GraphQL request error.
REQUEST_ERROR = "graphql_request_error"


class GraphQLApp(GraphQL[CustomerContext, None]):
    def __init__(self, schema: BaseSchema, rt: Runtime) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if rt.settings.graphiql_enabled else None,
            # Queries may use GET (cacheable); Strawberry refuses mutations over GET.
            allow_queries_via_get=True,
            multipart_uploads_enabled=False,
        )
        self.rt = rt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Messages the request's mutations queued leave once its response is
        # written, so no reply waits for (or is timed by) SMTP or SMS.
        deliveries: list[Delivery] = []
        scope.setdefault("state", {})["deliveries"] = deliveries
        try:
            await self._answer(scope, receive, send)
        finally:
            if deliveries:
                # A fresh context carrying only the request id (for the log): the
                # request's database scope is over by the time they run.
                context = contextvars.Context()
                context.run(request_id_var.set, request_id_var.get())
                self.rt.courier.dispatch(deliveries, context=context)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as error:
            # Strawberry answers its refusals (bad JSON, no query, variables that
            # are not an object, ...) in plain text; JSON clients need JSON.
            response = error_response(scope, error.status_code, error.reason)
        if scope.get("state", {}).get(REQUEST_ERROR):
            response.status_code = 400
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        # Our own page, assets served by this app: Strawberry's loads them from a CDN.
        return HTMLResponse(graphiql.page(request.url.path))

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        # GraphQL over HTTP, for clients that accept its media type: a document
        # that fails to parse or validate is a request error, answered 400 with
        # no `data` entry. `application/json` clients keep `data: null` and 200.
        if isinstance(result, PreExecutionError) and (
            response_media_type(request.headers) == GRAPHQL_RESPONSE
        ):
            processed.pop("data", None)
            request.scope.setdefault("state", {})[REQUEST_ERROR] = True
        return processed

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        # Remembered here: `create_response` no longer sees the request.
        sub_response.media_type = response_media_type(request.headers)
        return sub_response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = sub_response.media_type or JSON
        return response

    async def get_context(self, request: Request | WebSocket, response: Any) -> CustomerContext:
        user = request.scope.get("user")
        viewer = user.viewer if isinstance(user, CustomerUser) else None
        key = request.headers.get("idempotency-key")
        assert isinstance(response, Response)
        loaders = Loaders(db=self.rt.db)
        actor = None
        if viewer is not None:
            customer_id = viewer.customer.id
            assert customer_id is not None
            actor = Actor.customer(customer_id)
            # The session check already read the viewer's row.
            loaders.customer_by_id.prime(customer_id, viewer.customer)
        return CustomerContext(
            request=request,  # type: ignore[arg-type]
            response=response,
            rt=self.rt,
            loaders=loaders,
            actor=actor,
            viewer=viewer,
            request_id=request.scope.get("state", {}).get("request_id", "-"),
            client_ip=client_ip(request, trust_proxy=self.rt.settings.trust_proxy_headers),
            user_agent=request.headers.get("user-agent"),
            idempotency_key=key[:200] if key else None,
            deliveries=request.scope.get("state", {}).get("deliveries", []),
            language=request_language(request, viewer.customer.language if viewer else None),
        )

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:
        context = kwargs.get("context")
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as error:
            # GraphQL over HTTP: a mutation sent with GET is "405 Method Not Allowed".
            adapter = kwargs.get("request_adapter")
            if error.status_code == 400 and adapter is not None and adapter.method == "GET":
                raise HTTPException(405, error.reason) from error
            raise
        finally:
            if isinstance(context, RequestContext):
                await context.loaders.settle()
                # For the access line `app.middleware` writes when the response is done.
                state = context.request.scope.setdefault("state", {})
                state["operation_name"] = context.operation_name

    def decode_json(self, data: str | bytes) -> object:
        # orjson refuses lone surrogates ("\ud800"), which the standard library
        # accepts and which no database can store; its error is a
        # JSONDecodeError, so the client gets Strawberry's 400.
        value = orjson.loads(data)
        # A GraphQL request is a JSON object (a list is a batch, which Strawberry
        # refuses); `null`, a string or a number is as malformed as bad JSON.
        if not isinstance(value, dict | list):
            raise orjson.JSONDecodeError("a GraphQL request is a JSON object", "", 0)
        return value

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
