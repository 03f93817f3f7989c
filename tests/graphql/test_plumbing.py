"""HTTP and GraphQL plumbing: query limits, transport rules, error masking, node()."""

from __future__ import annotations

import asyncio
import base64
import json
import logging

import httpx
import pytest
from sqlalchemy import delete

from app.logs import JsonFormatter
from models.shop import CustomerAccountSettings, Shop
from plumbing.runtime import Runtime
from tests import factories
from tests.support import GraphQLClient

SETTINGS = "settings { subscriptionActions { skip } }"


def error_codes(body: dict) -> list[str | None]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


# -- query limits -----------------------------------------------------------


@pytest.mark.parametrize("settings_overrides", [{"max_query_depth": 2}])
async def test_depth_limit_direct_and_through_fragments(gql: GraphQLClient) -> None:
    assert "errors" not in await gql("{ shop { settings { supportEnabled } } }")
    direct = await gql(f"{{ shop {{ {SETTINGS} }} }}")
    hidden = await gql(
        """query { shop { ...S } }
        fragment S on Shop { settings { ...A } }
        fragment A on CustomerAccountSettings { subscriptionActions { skip } }"""
    )
    for body in (direct, hidden):
        assert body["data"] is None
        assert "exceeds maximum operation depth" in body["errors"][0]["message"]


@pytest.mark.parametrize("settings_overrides", [{"max_query_aliases": 3}])
async def test_alias_limit_direct_and_through_fragments(gql: GraphQLClient) -> None:
    assert "errors" not in await gql("{ a: shop { name } b: shop { name } c: shop { name } }")
    direct = await gql("{ a: shop { name } b: shop { name } c: shop { name } d: shop { name } }")
    hidden = await gql(
        """{ a: shop { name } b: shop { name } ...F }
        fragment F on Query { c: shop { name } d: shop { name } }"""
    )
    for body in (direct, hidden):
        assert body["data"] is None
        assert "aliases found" in body["errors"][0]["message"]


@pytest.mark.parametrize("settings_overrides", [{"max_query_tokens": 100}])
async def test_token_limit_direct_and_through_fragments(gql: GraphQLClient) -> None:
    fields = " ".join(["name"] * 120)
    direct = await gql(f"{{ shop {{ {fields} }} }}")
    hidden = await gql(f"{{ shop {{ ...F }} }} fragment F on Shop {{ {fields} }}")
    for body in (direct, hidden):
        assert body["data"] is None
        assert "more than 100 tokens" in body["errors"][0]["message"]


@pytest.mark.parametrize("settings_overrides", [{"max_query_cost": 10}])
async def test_cost_limit_direct_and_through_fragments(gql: GraphQLClient) -> None:
    ok = await gql(f"{{ a: shop {{ {SETTINGS} }} }}")
    assert ok["extensions"]["cost"] == {"requestedQueryCost": 3, "maximumAvailable": 10}
    direct = await gql(
        f"{{ a: shop {{ {SETTINGS} }} b: shop {{ {SETTINGS} }} "
        f"c: shop {{ {SETTINGS} }} d: shop {{ {SETTINGS} }} }}"
    )
    hidden = await gql(
        f"""{{ a: shop {{ ...S }} b: shop {{ ...S }} c: shop {{ ...S }} d: shop {{ ...S }} }}
        fragment S on Shop {{ {SETTINGS} }}"""
    )
    for body in (direct, hidden):
        assert body["data"] is None
        assert error_codes(body) == ["QUERY_TOO_COSTLY"]
        assert body["extensions"]["cost"]["requestedQueryCost"] == 12


@pytest.mark.parametrize("settings_overrides", [{"max_query_cost": 50}])
async def test_cost_counts_the_variables_sent_not_only_their_defaults(
    gql: GraphQLClient, rt: Runtime
) -> None:
    token = await factories.login(rt, await factories.customer(rt))
    query = """query($f: Int = 0) { me { orders(first: $f) {
      edges { node { lineItems { variant { product { id } } } } } } } }"""

    small = await gql(query, {"f": 1}, token=token)
    large = await gql(query, {"f": 30}, token=token)

    # me, orders, then per order: edges, node, lineItems, variant, product.
    assert small["extensions"]["cost"]["requestedQueryCost"] == 2 + 1 * 5
    assert large["data"] is None
    assert error_codes(large) == ["QUERY_TOO_COSTLY"]
    assert large["extensions"]["cost"]["requestedQueryCost"] == 2 + 30 * 5


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the next twice: 2**levels fields in a few hundred bytes."""
    spreads = " ".join(
        f"fragment F{n} on Shop {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels)
    )
    return f"{{ shop {{ ...F0 }} }} {spreads} fragment F{levels} on Shop {{ name }}"


async def test_fragments_that_multiply_are_refused_before_validation(gql: GraphQLClient) -> None:
    """Refused by counting once per fragment: the depth, alias and cost rules
    would otherwise walk all 2**18 expanded fields, blocking the process."""
    bomb = fragment_bomb(18)
    assert len(bomb) < 1_000

    body = await gql(bomb)

    assert body["data"] is None
    assert error_codes(body) == ["QUERY_TOO_LARGE"]
    assert "selects 262145 fields" in body["errors"][0]["message"]  # shop + 2**18 names


@pytest.mark.parametrize("settings_overrides", [{"max_query_fields": 10}])
async def test_field_limit_counts_each_spread_of_a_fragment(gql: GraphQLClient) -> None:
    assert "errors" not in await gql(fragment_bomb(3))  # shop and 8 names: 9 fields
    body = await gql(fragment_bomb(4))  # shop and 16 names

    assert error_codes(body) == ["QUERY_TOO_LARGE"]


# -- transport ----------------------------------------------------------------


async def test_queries_work_over_get_but_mutations_are_refused(
    http: httpx.AsyncClient, rt: Runtime, gql: GraphQLClient
) -> None:
    token = await factories.login(rt, await factories.customer(rt))
    query = await http.get("/graphql", params={"query": "{ shop { name } }"})
    assert query.status_code == 200 and query.json()["data"]["shop"]["name"] == "Test Store"

    mutation = await http.get(
        "/graphql",
        params={"query": "mutation { logout { userErrors { code } } }"},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert mutation.status_code == 405
    assert (await gql.data("{ me { id } }", token=token))["me"] is not None


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
async def test_only_json_bodies_are_accepted(http: httpx.AsyncClient, content_type: str) -> None:
    response = await http.post(
        "/graphql",
        content=b'{"query": "{ shop { name } }"}',
        headers={"Content-Type": content_type},
    )
    assert response.status_code == 415


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_lone_surrogate_in_variables_is_a_bad_request(
    http: httpx.AsyncClient, rt: Runtime, method: str
) -> None:
    """JSON allows "\ud800" but UTF-8, and so every database, cannot hold it."""
    token = await factories.login(rt, await factories.customer(rt))
    query = "query($q: String) { shop { products(query: $q) { edges { cursor } } } }"
    variables = '{"q": "a\\ud800b"}'
    headers = {"Authorization": f"Bearer {token}"}
    if method == "POST":
        body = f'{{"query": {json.dumps(query)}, "variables": {variables}}}'
        response = await http.post(
            "/graphql",
            content=body.encode(),
            headers={**headers, "Content-Type": "application/json"},
        )
    else:
        response = await http.get(
            "/graphql", params={"query": query, "variables": variables}, headers=headers
        )

    assert response.status_code == 400
    assert "Unable to parse" in response.text


async def test_json_with_charset_is_accepted(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        content=b'{"query": "{ shop { name } }"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("settings_overrides", [{"max_body_bytes": 1000}])
async def test_request_size_limit_declared_and_streamed(http: httpx.AsyncClient) -> None:
    big = b'{"query": "{ shop { name } }", "variables": {"x": "' + b"a" * 2000 + b'"}}'
    declared = await http.post(
        "/graphql", content=big, headers={"Content-Type": "application/json"}
    )

    async def chunks():  # no Content-Length: the limit is enforced while reading
        for i in range(0, len(big), 256):
            yield big[i : i + 256]

    streamed = await http.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert declared.status_code == 413
    assert streamed.status_code == 413


async def test_responses_carry_a_request_id(http: httpx.AsyncClient) -> None:
    fresh = await http.get("/healthz")
    echoed = await http.get("/healthz", headers={"X-Request-ID": "client-req-12345"})
    hostile = await http.get("/healthz", headers={"X-Request-ID": "bad id\r\nx"})
    assert len(fresh.headers["x-request-id"]) == 32
    assert echoed.headers["x-request-id"] == "client-req-12345"
    assert hostile.headers["x-request-id"] != "bad id\r\nx"


async def test_internal_errors_are_masked_and_logged_in_full(
    gql: GraphQLClient, rt: Runtime, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    async with rt.db.transaction() as session:
        await session.execute(delete(CustomerAccountSettings))
        await session.execute(delete(Shop))

    with caplog.at_level(logging.ERROR, logger="graphql"):
        response = await gql.raw("{ shop { name } }")

    body = response.json()
    [error] = body["errors"]
    assert error["message"] == "Internal server error"
    assert "not set up" not in response.text
    request_id = response.headers["x-request-id"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    [record] = [r for r in caplog.records if r.name == "graphql"]
    line = JsonFormatter().format(record)
    assert request_id in line and "the shop is not set up" in line and "Traceback" in line


async def test_health_and_readiness(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    assert (await http.get("/readyz")).json() == {"status": "ok", "database": "ok"}


async def test_readiness_fails_when_the_database_is_unreachable(
    http: httpx.AsyncClient, rt: Runtime, tmp_path
) -> None:
    from models.database import Database

    rt.db = Database(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")
    response = await http.get("/readyz")
    assert response.status_code == 503
    await rt.db.dispose()


# -- environment-dependent features ---------------------------------------------


async def test_graphiql_and_introspection_are_on_in_development(http: httpx.AsyncClient) -> None:
    ide = await http.get("/graphql", headers={"Accept": "text/html"})
    assert ide.status_code == 200 and "graphiql" in ide.text.lower()
    intro = await http.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
    assert intro.json()["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize(
    "settings_overrides",
    [
        {
            "app_env": "production",
            "database_url": "postgresql+asyncpg://unused/unused",
            "public_url": "https://account.example.com",
            "email_backend": "smtp",
            "smtp_url": "smtp://127.0.0.1:2525",
            "sms_backend": "none",
        }
    ],
)
async def test_graphiql_and_introspection_are_off_in_production(
    http: httpx.AsyncClient,
) -> None:
    ide = await http.get("/graphql", headers={"Accept": "text/html"})
    assert ide.status_code == 404
    intro = await http.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
    assert intro.json()["data"] is None
    assert "introspection has been disabled" in intro.json()["errors"][0]["message"].lower()


# -- node ---------------------------------------------------------------------------


async def test_node_returns_only_what_the_viewer_owns(gql: GraphQLClient, rt: Runtime) -> None:
    ada, bob = await factories.customer(rt), await factories.customer(rt)
    token = await factories.login(rt, ada)
    own = (await gql.data("{ me { id } }", token=token))["me"]["id"]
    bob_token = await factories.login(rt, bob)
    bobs = (await gql.data("{ me { id } }", token=bob_token))["me"]["id"]
    query = "query($id: ID!) { node(id: $id) { id ... on Customer { email } } }"

    assert (await gql.data(query, {"id": own}, token=token))["node"] == {
        "id": own,
        "email": ada.email,
    }
    # Customer:99999, garbage, empty, and Customer:² (a digit to isdigit(), not to int()).
    superscript = base64.urlsafe_b64encode("Customer:²".encode()).decode()
    for foreign in (bobs, "Q3VzdG9tZXI6OTk5OTk", "garbage!!", "", superscript):
        assert (await gql.data(query, {"id": foreign}, token=token))["node"] is None
    assert (await gql.data(query, {"id": own}))["node"] is None


# -- request lifetime -------------------------------------------------------


async def test_no_database_work_outlives_a_failed_request(gql: GraphQLClient, rt: Runtime) -> None:
    """A failing field cancels its siblings; their reads still finish in the request.

    Otherwise a cancelled loader batch tears its connection down in the
    background, after the response has gone.
    """
    customer = await factories.customer(rt)
    token = await factories.login(rt, customer)
    # A shop that is not set up fails the non-null `shop`, and with it the whole
    # response, while `me`'s reads are under way. (A bad cursor no longer fails
    # anything but its own connection.)
    async with rt.db.transaction() as session:
        await session.execute(delete(CustomerAccountSettings))
        await session.execute(delete(Shop))
    query = """query { shop { name } me {
      addresses { edges { cursor } }
      defaultShippingAddress { id } defaultBillingAddress { id } } }"""

    body = await gql(query, token=token)

    assert body["data"] is None
    assert error_codes(body) == ["INTERNAL_SERVER_ERROR"]
    this = asyncio.current_task()
    assert [task for task in asyncio.all_tasks() if task is not this] == []
