"""Starlette authentication backend: `Authorization: Bearer <session token>` on the
customer surface, `Authorization: Bearer <API key>` on the merchant one."""

from __future__ import annotations

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import Response

from app.errors import error_response
from auth.api_keys import Principal, authenticate_key
from auth.sessions import Viewer, authenticate
from plumbing.runtime import Runtime


class CustomerUser(BaseUser):
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.viewer.customer.email


class ApiKeyUser(BaseUser):
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.principal.name


class InvalidToken(AuthenticationError):
    """A credential was sent but opens no session (RFC 6750 `invalid_token`)."""


class UnsupportedScheme(AuthenticationError):
    """A credential in another scheme than Bearer."""


class BearerSessionBackend(AuthenticationBackend):
    """No `Authorization` header leaves the request anonymous (`me` is null and
    protected fields answer UNAUTHENTICATED); a header that opens no session is
    refused with 401, so a client holding a stale token learns it at once
    instead of seeing itself logged out."""

    def __init__(self, rt: Runtime, *, admin_prefix: str) -> None:
        self.rt = rt
        # Below it only API keys are credentials, elsewhere only customer sessions:
        # neither surface accepts the other's, whatever the token looks like.
        self.admin_prefix = admin_prefix

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization", "").strip()
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            raise UnsupportedScheme("Send the session token as `Authorization: Bearer <token>`.")
        if not token.strip():
            raise InvalidToken("The Bearer token is empty.")
        if conn.url.path.startswith(self.admin_prefix):
            principal = await authenticate_key(self.rt, token.strip())
            if principal is None:
                raise InvalidToken("The API key is invalid or has been revoked.")
            return AuthCredentials([scope.value for scope in principal.scopes]), ApiKeyUser(
                principal
            )
        viewer = await authenticate(self.rt, token.strip())
        if viewer is None:
            raise InvalidToken(
                "The session token is invalid or has expired: sign in again for a new one."
            )
        return AuthCredentials(["customer"]), CustomerUser(viewer)


def refuse_credentials(conn: HTTPConnection, error: AuthenticationError) -> Response:
    """401 with the RFC 6750 challenge and a GraphQL-shaped JSON body.

    Another scheme is "no credential we know" (RFC 6750 section 3.1), so its
    challenge carries no error code.
    """
    challenge = 'Bearer realm="customer-account"'
    if isinstance(error, InvalidToken):
        challenge += ', error="invalid_token"'
    return error_response(conn.scope, 401, str(error), headers={"WWW-Authenticate": challenge})
