"""Errors per GraphQL over HTTP and RFC 6750: every refusal is JSON a client can read."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from adapters.clock import ManualClock
from models.auth import CustomerSession
from plumbing.runtime import Runtime
from tests import factories
from tests.support import GraphQLClient

GRAPHQL_RESPONSE = "application/graphql-response+json"
ME = "{ me { email } }"


def only_error(response: httpx.Response, status: int, code: str) -> str:
    """The one error of a JSON error response with `status`; its message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(("application/json", GRAPHQL_RESPONSE))
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code
    assert "data" not in response.json()
    message: str = error["message"]
    return message


async def session_count(rt: Runtime) -> int:
    async with rt.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(CustomerSession)) or 0)


# -- RFC 6750: a token that opens no session ------------------------------------


@pytest.mark.parametrize(
    "header", ["Bearer nope", "Bearer ", "bearer aGVsbG8gd29ybGQ", "Bearer a b c"]
)
async def test_an_invalid_or_malformed_token_is_401_invalid_token(
    http: httpx.AsyncClient, rt: Runtime, header: str
) -> None:
    before = await session_count(rt)
    response = await http.post("/graphql", json={"query": ME}, headers={"Authorization": header})

    only_error(response, 401, "UNAUTHENTICATED")
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge
    assert await session_count(rt) == before


async def test_an_expired_token_is_401_invalid_token(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    token = await factories.login(rt, await factories.customer(rt, email="ada@example.com"))
    assert (await gql.data(ME, token=token))["me"] == {"email": "ada@example.com"}
    clock.advance(days=rt.settings.session_ttl / 86_400 + 1)

    response = await gql.raw(ME, token=token)

    message = only_error(response, 401, "UNAUTHENTICATED")
    assert "expired" in message
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_another_scheme_is_401_with_a_bare_challenge(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", json={"query": ME}, headers={"Authorization": "Basic YWRhOnB3"}
    )
    only_error(response, 401, "UNAUTHENTICATED")
    # RFC 6750 section 3.1: no error code for a request without a Bearer credential.
    assert response.headers["www-authenticate"] == 'Bearer realm="customer-account"'


async def test_no_authorization_header_is_anonymous(gql: GraphQLClient) -> None:
    assert (await gql.data(ME))["me"] is None
    assert (await gql.data(ME, headers={"Authorization": ""}))["me"] is None


async def test_the_401_speaks_the_media_type_the_client_accepts(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        json={"query": ME},
        headers={"Authorization": "Bearer nope", "Accept": f"{GRAPHQL_RESPONSE}, */*;q=0.5"},
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == GRAPHQL_RESPONSE


# -- every non-200 answer is JSON -------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"application/json;q=0.9, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0, application/json", "application/json"),
    ],
)
async def test_the_error_media_type_follows_accept(
    http: httpx.AsyncClient, accept: str | None, media_type: str
) -> None:
    headers = {"Content-Type": "text/plain"} | ({"Accept": accept} if accept else {})
    response = await http.post("/graphql", content=b"{ shop { name } }", headers=headers)
    assert response.status_code == 415
    assert response.headers["content-type"] == media_type
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


async def test_a_form_post_is_415(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", data={"query": "{ shop { name } }"})
    message = only_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert "application/json" in message


@pytest.mark.parametrize("settings_overrides", [{"max_body_bytes": 1000}])
async def test_a_body_too_large_is_413(http: httpx.AsyncClient) -> None:
    big = {"query": "{ shop { name } }", "variables": {"x": "a" * 2000}}
    message = only_error(await http.post("/graphql", json=big), 413, "PAYLOAD_TOO_LARGE")
    assert "1000 bytes" in message


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"query": "{ shop { name } ', "Unable to parse"),
        (b"null", "Unable to parse"),
        (b'{"query": "{ shop { name } }", "variables": "{}"}', "`variables` must be an object"),
        (b'{"variables": {}}', "No GraphQL query"),
        (b'{"query": 42}', "`query` must be a string"),
    ],
)
async def test_malformed_requests_are_400(http: httpx.AsyncClient, body: bytes, words: str) -> None:
    response = await http.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert words in only_error(response, 400, "BAD_REQUEST")


async def test_a_mutation_over_get_is_405(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql", params={"query": "mutation { logout { userErrors { code } } }"}
    )
    only_error(response, 405, "METHOD_NOT_ALLOWED")


async def test_an_unsupported_method_is_405_and_an_unknown_path_404(
    http: httpx.AsyncClient,
) -> None:
    put = await http.put("/graphql", json={"query": "{ shop { name } }"})
    only_error(put, 405, "METHOD_NOT_ALLOWED")
    assert "POST" in put.headers["allow"]
    only_error(await http.get("/nowhere"), 404, "NOT_FOUND")


# -- which operation runs -----------------------------------------------------------


TWO_OPERATIONS = "query A { shop { name } } query B { shop { currencyCode } }"


async def test_several_operations_without_a_name_are_400(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": TWO_OPERATIONS})
    assert "operationName" in only_error(response, 400, "BAD_REQUEST")


async def test_several_operations_with_a_name_run_that_one(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "B"})
    assert response.json() == {
        "data": {"shop": {"currencyCode": "USD"}},
        "extensions": response.json()["extensions"],
    }


async def test_an_unknown_operation_name_is_400(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "C"})
    assert '"C"' in only_error(response, 400, "BAD_REQUEST")


async def test_a_successful_response_follows_accept_too(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", json={"query": "{ shop { name } }"}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json()["data"] == {"shop": {"name": "Test Store"}}


@pytest.mark.parametrize("query", ["{ shop { nam } }", "{ shop { name ", "{ me { orders } }"])
async def test_a_request_error_is_400_without_data_for_graphql_response_clients(
    http: httpx.AsyncClient, query: str
) -> None:
    response = await http.post(
        "/graphql", json={"query": query}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert "data" not in response.json() and response.json()["errors"]

    legacy = await http.post("/graphql", json={"query": query})
    assert legacy.status_code == 200 and legacy.json()["data"] is None


async def test_a_field_error_stays_200_with_data_for_graphql_response_clients(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post(
        "/graphql",
        json={"query": "{ shop { name products(first: -1) { edges { cursor } } } }"},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 200
    assert response.json()["data"]["shop"]["name"] == "Test Store"
