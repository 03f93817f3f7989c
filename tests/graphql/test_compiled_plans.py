"""Compiled plans answer exactly what the executor answers, byte for byte.

Every document goes to two apps over the same database: one with compiled plans,
one without (`COMPILED_PLANS=false`). Their HTTP responses must be identical:
status, content type and body. The plan must actually serve the documents it
covers, and fall back to the executor for everything else (errors included).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import Settings
from models.customer import Customer
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.graphql.compiled_plans_support import (
    ORDER_PAGE,
    QUERIES_DASHBOARD,
    SHAPES,
    STOREFRONT,
    SUBSCRIPTION_PAGE,
    TICKET_PAGE,
    Pair,
    pair,
)
from tests.graphql.test_dashboard import DASHBOARD, given_a_customer_with
from tests.support import GraphQLClient, count_statements

ORDERS = 25


@pytest.fixture
async def apps(settings: Settings, rt: Runtime) -> AsyncIterator[Pair]:
    async with pair(settings, rt) as both:
        yield both


@pytest.fixture
async def token(rt: Runtime, gql: GraphQLClient) -> str:
    return await given_a_customer_with(rt, gql, ORDERS)


async def same(apps: Pair, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> bytes:
    planned, general = await apps.both(query, variables, **kw)
    assert planned.status_code == general.status_code
    assert planned.headers["content-type"] == general.headers["content-type"]
    assert planned.content == general.content
    return planned.content


async def test_the_dashboards_are_served_by_plans_and_answer_the_same_bytes(
    apps: Pair, token: str
) -> None:
    for n in (1, 20, 100):
        before = apps.plans.stats.served
        body = await same(apps, STOREFRONT, {"n": n}, token=token)
        assert b'"errors"' not in body and body.count(b'"number"') == min(n, ORDERS)
        assert apps.plans.stats.served == before + 1
    for query in (DASHBOARD, QUERIES_DASHBOARD):
        before = apps.plans.stats.served
        body = await same(apps, query, {"n": 20}, token=token)
        assert b'"errors"' not in body
        assert apps.plans.stats.served == before + 1
    # One plan per document, compiled once, whatever the page size.
    assert apps.plans.stats.compiled == 3
    assert apps.plans.stats.fallbacks == 0


async def test_pages_by_cursor_forwards_and_backwards(apps: Pair, token: str) -> None:
    after = None
    for _ in range(3):
        body = await same(apps, ORDER_PAGE, {"after": after}, token=token)
        after = body.split(b'"cursor":"')[1].split(b'"')[0].decode()
    paged = """query($a: String, $b: String, $f: Int, $l: Int) { me {
      orders(first: $f, after: $a, last: $l, before: $b) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } } } }"""
    await same(apps, paged, {"f": 5, "a": after}, token=token)
    await same(apps, paged, {"l": 5, "b": after}, token=token)
    await same(apps, paged, {"f": 0}, token=token)
    await same(apps, TICKET_PAGE, token=token)
    assert apps.plans.stats.fallbacks == 0


@pytest.mark.parametrize(
    ("with_lines", "no_timeline"), [(True, False), (False, True), (True, True), (False, False)]
)
async def test_aliases_fragments_and_directives(
    apps: Pair, token: str, with_lines: bool, no_timeline: bool
) -> None:
    variables = {"n": 3, "withLines": with_lines, "noTimeline": no_timeline}
    body = await same(apps, SHAPES, variables, token=token)
    assert (b'"lineItems"' in body) is with_lines
    assert (b'"timeline"' in body) is not no_timeline
    assert apps.plans.stats.served == 1 and apps.plans.stats.compiled == 1


async def test_anonymous_and_subscription_page(apps: Pair, rt: Runtime, token: str) -> None:
    assert b'"me":null' in await same(apps, STOREFRONT, {"n": 20})
    assert apps.plans.stats.served == 1
    customer = await factories.customer(rt, email="sub@example.com")
    sub = await factories.subscription(rt, customer)
    sub_token = await factories.login(rt, customer)
    variables = {"id": to_global_id("Subscription", sub.id)}
    await same(apps, SUBSCRIPTION_PAGE, variables, token=sub_token)
    await same(apps, SUBSCRIPTION_PAGE, variables, token=token)  # not hers: null


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (STOREFRONT, {"n": 1000}),
        (STOREFRONT, {"n": -1}),
        (STOREFRONT, {"n": "twenty"}),
        (STOREFRONT, {}),
        (ORDER_PAGE, {"after": "not-a-cursor"}),
        ("{ me { orders(first: 2, last: 2) { edges { cursor } } } }", None),
        ("{ me { firstName nope } }", None),
        ("{ me { orders(first: 100) { edges { node { lineItems { title } } } } } }", None),
        ("{ shop { name } me { tickets(first: 1, status: OPEN) { edges { cursor } } } }", None),
        ("{ __schema { queryType { name } } }", None),
        # Refused input: nothing changes, so both apps may run it.
        ('mutation { updateProfile(input: {language: "!!"}) { userErrors { code } } }', None),
    ],
)
async def test_errors_come_from_the_executor(
    apps: Pair, token: str, query: str, variables: dict[str, Any] | None
) -> None:
    await same(apps, query, variables, token=token)


async def test_a_failing_plan_leaves_the_answer_to_the_executor(apps: Pair, token: str) -> None:
    before = apps.plans.stats.fallbacks
    body = await same(apps, ORDER_PAGE, {"after": "bm90LWEtY3Vyc29y"}, token=token)
    assert b'"BAD_USER_INPUT"' in body and b'"path":["me","orders"]' in body
    assert apps.plans.stats.fallbacks == before + 1


async def test_a_planned_request_reads_as_the_executor_does(
    apps: Pair, rt: Runtime, token: str
) -> None:
    counts = []
    for client in (apps.planned, apps.general):
        for query in (STOREFRONT, DASHBOARD):
            body = {"query": query, "variables": {"n": 20}}
            headers = {"Authorization": f"Bearer {token}"}
            await client.post("/graphql", json=body, headers=headers)  # warm
            with count_statements(rt.db) as counter:
                await client.post("/graphql", json=body, headers=headers)
            counts.append((counter.count, counter.checkouts, counter.transactions))
    assert counts[:2] == counts[2:]
    assert counts[0] == (5, 1, 0) and counts[1] == (24, 1, 0)
    assert apps.plans.stats.served == 4


# The storefront dashboard's fields, for generated selections of them.
ORDER_FIELDS = [
    "id",
    "number",
    "placedAt",
    "status",
    "fulfillmentStatus",
    "canCancel",
    "__typename",
    "summary { total { amount currencyCode } discounts { code } }",
    "shippingAddress { line1 city countryCode }",
    "billingAddress { city }",
    "lineItems { title quantity unitPrice { amount currencyCode } }",
    "timeline { status happenedAt message trackingNumber }",
    "paymentMethod { last4 }",
    "shippingMethod { title price { amount } }",
]
CUSTOMER_FIELDS = ["firstName", "lastName", "email", "phone", "language", "id", "__typename"]


@st.composite
def selections(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    fields = draw(st.lists(st.sampled_from(ORDER_FIELDS), min_size=1, max_size=8))
    aliased = [
        f"a{i}: {f}" if draw(st.booleans()) and not f.startswith("__") else f
        for i, f in enumerate(fields)
    ]
    profile = draw(st.lists(st.sampled_from(CUSTOMER_FIELDS), max_size=4))
    info = draw(st.sampled_from(["", "pageInfo { hasNextPage endCursor }"]))
    query = (
        "query($n: Int) { me { "
        + " ".join(profile)
        + " orders(first: $n) { "
        + info
        + " edges { node { "
        + " ".join(aliased)
        + " } } } } }"
    )
    return query, {"n": draw(st.sampled_from([0, 1, 7, 20, 100, None]))}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=selections())
async def test_generated_selections_of_the_dashboard(
    apps: Pair, rt: Runtime, case: tuple[str, dict[str, Any]]
) -> None:
    customer = await _customer(rt)
    token = await factories.login(rt, customer)
    query, variables = case
    fallbacks = apps.plans.stats.fallbacks
    await same(apps, query, variables, token=token)
    assert apps.plans.stats.fallbacks == fallbacks


async def _customer(rt: Runtime) -> Customer:
    """One customer with a few orders, made by the first example and found by the next."""
    from sqlalchemy import select

    async with rt.db.read() as session:
        found = await session.scalar(select(Customer).where(Customer.email == "gen@example.com"))
    if found is not None:
        return found
    customer = await factories.customer(rt, email="gen@example.com")
    for status in ("UNFULFILLED", "IN_TRANSIT", "DELIVERED"):
        await factories.order(rt, customer, fulfillment_status=status)
    await factories.order(rt, customer, shipping=None, payment=None, billing_address=None)
    return customer


async def test_documents_a_plan_cannot_answer_exactly_go_to_the_executor(
    apps: Pair, token: str
) -> None:
    # `node` is an interface: its runtime type is the executor's to decide.
    query = '{ node(id: "T3JkZXI6MQ==") { id } me { email } }'
    await same(apps, query, token=token)
    await same(apps, query, token=token)
    stats = apps.plans.stats
    assert (stats.refused, stats.compiled, stats.served) == (1, 0, 0)


def test_resolvers_read_only_what_a_plan_gives_them() -> None:
    """A plan's `info` carries `context` and a null `path` (which `connection` turns
    into a raised error); a resolver reading more would fail every plan using it."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "schema"
    used = {
        match
        for path in root.rglob("*.py")
        if "plans" not in path.parts
        for match in re.findall(r"\binfo\.(\w+)", path.read_text())
    }
    assert used <= {"context", "path"}, used


async def test_a_selection_set_with_every_field_skipped(apps: Pair, token: str) -> None:
    query = """query($off: Boolean!) { me { orders(first: 2) { edges { node {
      number @skip(if: $off) } } } } }"""
    body = await same(apps, query, {"off": True}, token=token)
    assert b'"node":{}' in body
    await same(apps, query, {"off": False}, token=token)
    assert (apps.plans.stats.served, apps.plans.stats.fallbacks) == (2, 0)
