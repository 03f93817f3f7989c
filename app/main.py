"""The Starlette application: routes, middleware, lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Mount, Route

from app import graphiql, invoices, pages
from app.admin_graphql import AdminGraphQLApp
from app.auth import BearerSessionBackend, refuse_credentials
from app.errors import http_exception, internal_error
from app.graphql import GraphQLApp
from app.logs import configure_logging
from app.middleware import GraphQLBodyMiddleware, RequestIdMiddleware
from app.resilience import DatabaseScopeMiddleware
from config import Settings, load_settings
from plumbing.runtime import Runtime, build_runtime
from schema.admin import build_admin_schema
from schema.common.plans import plans_of
from schema.customer import build_schema

GRAPHQL_PATH = "/graphql"
ADMIN_GRAPHQL_PATH = "/admin/graphql"
# What a storefront on another origin sends: the session, JSON, and a replay key.
CORS_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key")

# A request leaves a few hundred objects in reference cycles (graphql-core's
# execution state among them), so collections cannot be avoided, only kept
# short: young collections every 2,000 net allocations (default 700), and the
# older generations often enough that they stay small. Measured on the
# dashboard (first: 20, 2,000 requests in one process, start-up heap frozen):
# (2000, 5, 10) kept every pause under 7 ms and p99 at 1.4x p50; (50000, 20,
# 100) let single collections take 80 ms.
GC_THRESHOLDS = (2_000, 5, 10)


def settle_heap() -> None:
    """Move what start-up allocated (schema, modules, pools) out of the collector's way.

    Frozen objects are never scanned again, so full collections only walk
    what requests allocate.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def create_app(settings: Settings, runtime: Runtime | None = None) -> Starlette:
    """Build the app; a runtime passed in (tests) is left for the caller to close."""
    owns_runtime = runtime is None
    rt = runtime or build_runtime(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if owns_runtime:  # a serving process, not a test holding its own runtime
            settle_heap()
        yield
        # Every delivery accepted before the shutdown goes out before the process does.
        await rt.courier.drain()
        if owns_runtime:
            await rt.sms.aclose()
            await rt.db.dispose()

    schema = build_schema(settings)
    routes: list[BaseRoute] = [
        Route(GRAPHQL_PATH, GraphQLApp(schema, rt), methods=["GET", "POST"]),
        Route(
            ADMIN_GRAPHQL_PATH,
            AdminGraphQLApp(build_admin_schema(settings), rt),
            methods=["GET", "POST"],
        ),
        Route("/healthz", pages.healthz, methods=["GET"]),
        Route("/readyz", pages.readyz, methods=["GET"]),
        Route("/auth/magic-link", pages.magic_link, methods=["GET", "POST"]),
        Route("/invoices/{token}", invoices.invoice_page, methods=["GET"]),
    ]
    if settings.graphiql_enabled:
        routes.append(Mount(graphiql.ASSETS_PATH, graphiql.assets(), name="graphiql"))
    middleware = [Middleware(RequestIdMiddleware)]
    if settings.allowed_origins:
        # Outside the rest, so preflights never touch the database and every
        # answer (401, 415, 503 included) is readable by the storefront's page.
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.allowed_origins,
                allow_methods=("GET", "POST"),
                allow_headers=CORS_HEADERS,
                expose_headers=("X-Request-ID", "Retry-After"),
                max_age=600,
            )
        )
    middleware += [
        # Outside authentication, so the session check reads on the request's
        # connection and its failure, too, answers 503.
        Middleware(DatabaseScopeMiddleware, db=rt.db, deadline=settings.request_timeout),
        Middleware(
            GraphQLBodyMiddleware,
            paths=frozenset({GRAPHQL_PATH, ADMIN_GRAPHQL_PATH}),
            max_bytes=settings.max_body_bytes,
        ),
        Middleware(
            AuthenticationMiddleware,
            backend=BearerSessionBackend(rt, admin_prefix="/admin/"),
            on_error=refuse_credentials,
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        # Every error response is JSON, including Starlette's own (404, 405, 500).
        exception_handlers={HTTPException: http_exception, Exception: internal_error},
    )
    app.state.runtime = rt
    # The compiled plans' cache (None when COMPILED_PLANS is off), for its counters.
    app.state.plans = plans_of(schema)
    return app


def create_app_from_env() -> Starlette:
    """The app as configured by the environment: uvicorn's factory for `serve --workers N`.

    Each worker process builds its own app, engines and pools after the fork.
    """
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
