"""Starlette authentication backend: `Authorization: Bearer <session token>`."""

from __future__ import annotations

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.requests import HTTPConnection

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


class BearerSessionBackend(AuthenticationBackend):
    """A missing, malformed or expired token leaves the request anonymous:
    `me` is then null and protected fields answer UNAUTHENTICATED."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        viewer = await authenticate(self.rt, token.strip())
        if viewer is None:
            return None
        return AuthCredentials(["customer"]), CustomerUser(viewer)
