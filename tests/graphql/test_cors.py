"""CORS: a storefront page on another origin may call the API; other origins may not."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import create_app
from config import Settings
from plumbing.runtime import Runtime
from tests import factories

STOREFRONT = "https://shop.example"  # the test settings' STOREFRONT_URL
EXAMPLE = "http://127.0.0.1:3000"  # where `make example` serves examples/storefront
ME = {"query": "{ me { email } }"}


def preflight(origin: str, headers: str = "authorization, content-type, idempotency-key") -> dict:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers,
    }


@pytest.mark.parametrize("origin", [STOREFRONT, EXAMPLE])
async def test_preflight_from_the_storefront_allows_the_headers_it_sends(
    http: httpx.AsyncClient, origin: str
) -> None:
    response = await http.options("/graphql", headers=preflight(origin))

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"authorization", "content-type", "idempotency-key"} <= allowed
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in response.headers  # bearer tokens, no cookies


async def test_preflight_from_another_origin_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.options("/graphql", headers=preflight("https://evil.example"))

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_preflight_for_another_header_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.options("/graphql", headers=preflight(STOREFRONT, "x-admin-key"))

    assert response.status_code == 400


async def test_the_storefront_reads_answers_errors_included(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    customer = await factories.customer(rt, email="ada@example.com")
    token = await factories.login(rt, customer)

    ok = await http.post(
        "/graphql", json=ME, headers={"Origin": STOREFRONT, "Authorization": f"Bearer {token}"}
    )
    refused = await http.post(
        "/graphql", json=ME, headers={"Origin": STOREFRONT, "Authorization": "Bearer nope"}
    )

    assert ok.json()["data"] == {"me": {"email": "ada@example.com"}}
    assert ok.headers["access-control-allow-origin"] == STOREFRONT
    assert "x-request-id" in ok.headers["access-control-expose-headers"].lower()
    # The page must see the 401 to send its visitor back to the login.
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == STOREFRONT


async def test_a_page_on_another_origin_cannot_read_answers(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json=ME, headers={"Origin": "https://evil.example"})

    assert "access-control-allow-origin" not in response.headers


@pytest.fixture
async def production_like(settings: Settings, rt: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The app with CORS_ORIGINS set empty: what production has unless it is set."""
    closed = Settings(**{**settings.model_dump(), "cors_origins": ""})
    app = create_app(closed, runtime=rt)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_without_origins_no_page_elsewhere_may_call(
    production_like: httpx.AsyncClient,
) -> None:
    response = await production_like.options("/graphql", headers=preflight(STOREFRONT))
    answer = await production_like.post("/graphql", json=ME, headers={"Origin": STOREFRONT})

    assert response.status_code == 405
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-origin" not in answer.headers
