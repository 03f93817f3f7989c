"""The Starlette application: routes, middleware, lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import Route

from app import invoices, pages
from app.auth import BearerSessionBackend
from app.graphql import GraphQLApp
from app.middleware import GraphQLBodyMiddleware, RequestIdMiddleware
from config import Settings
from plumbing.runtime import Runtime, build_runtime
from schema.customer import build_schema

GRAPHQL_PATH = "/graphql"


def create_app(settings: Settings, runtime: Runtime | None = None) -> Starlette:
    """Build the app; a runtime passed in (tests) is left for the caller to close."""
    owns_runtime = runtime is None
    rt = runtime or build_runtime(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if owns_runtime:
            await rt.db.dispose()

    routes = [
        Route(GRAPHQL_PATH, GraphQLApp(build_schema(settings), rt), methods=["GET", "POST"]),
        Route("/healthz", pages.healthz, methods=["GET"]),
        Route("/readyz", pages.readyz, methods=["GET"]),
        Route("/auth/magic-link", pages.magic_link, methods=["GET", "POST"]),
        Route("/invoices/{token}", invoices.invoice_page, methods=["GET"]),
    ]
    middleware = [
        Middleware(RequestIdMiddleware),
        Middleware(GraphQLBodyMiddleware, path=GRAPHQL_PATH, max_bytes=settings.max_body_bytes),
        Middleware(AuthenticationMiddleware, backend=BearerSessionBackend(rt)),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.runtime = rt
    return app
