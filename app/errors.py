"""Every HTTP error as a GraphQL-shaped JSON body (GraphQL over HTTP, RFC 6750).

JSON-only clients cannot read plain text, so a refusal before or around
GraphQL execution (415, 413, 400, 405, 401, ...) answers
`{"errors": [{"message": ..., "extensions": {"code": ...}}]}`, in
`application/graphql-response+json` when the client's `Accept` allows it and
in `application/json` otherwise (what legacy clients expect).
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

# The code in `extensions.code` for each status we answer with.
CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "INTERNAL_SERVER_ERROR",
}


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


def response_media_type(headers: Headers) -> str:
    """`application/graphql-response+json` if the client names it acceptable, else JSON.

    A wildcard is not taken as consent: the GraphQL-over-HTTP spec keeps
    `application/json` for clients that do not ask for the new type by name.
    """
    for media_range in headers.get("accept", "").split(","):
        media, *params = media_range.split(";")
        if media.strip().lower() == GRAPHQL_RESPONSE and _quality(params) > 0:
            return GRAPHQL_RESPONSE
    return JSON


def error_body(message: str, code: str, **extensions: object) -> bytes:
    return orjson.dumps(
        {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    )


def error_response(
    scope: Scope,
    status: int,
    message: str,
    *,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The JSON answer to a request refused with `status`."""
    return Response(
        error_body(message, code or CODES.get(status, "BAD_REQUEST")),
        status_code=status,
        headers=dict(headers or {}),
        media_type=response_media_type(Headers(scope=scope)),
    )


async def http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (unknown path, method not allowed) as JSON."""
    assert isinstance(exc, HTTPException)
    return error_response(request.scope, exc.status_code, exc.detail, headers=exc.headers)


async def internal_error(request: Request, exc: Exception) -> Response:
    """A fault outside GraphQL: masked for the client, who gets the request id to quote.

    Starlette re-raises the exception after this answer, so the server logs it in full.
    """
    request_id = request.scope.get("state", {}).get("request_id", "-")
    return Response(
        error_body("Internal server error", "INTERNAL_SERVER_ERROR", requestId=request_id),
        status_code=500,
        media_type=response_media_type(request.headers),
    )
