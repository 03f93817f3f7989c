"""Small documents that make validation quadratic are refused before it runs.

Each hostile document is under every size limit; none may cost the server more
than a small CPU budget, measured here in the process that answers it.
"""

from __future__ import annotations

import gc
import time

import pytest

from tests.support import GraphQLClient

# The budget is 50 ms of CPU; a slow or busy machine gets a factor of four.
BUDGET_SECONDS = 0.05 * 4

FRAGMENT = "fragment F on Shop { name }"

HOSTILE = {
    "one field 400 times": "{ " + "shop { name } " * 400 + "}",
    "me 490 times": "{ " + "me { id } " * 490 + "}",
    "a leading comment defeats the caches": "# 7f3a\n{ " + "shop { name } " * 400 + "}",
    "one alias 300 times": "{ " + "a: shop { name } " * 300 + "}",
    "nested repetition": "{ shop { " + "name " * 400 + "} }",
    "a fragment spread 300 times": "{ shop { " + "...F " * 300 + "} } " + FRAGMENT,
    "inline fragments": "{ shop { " + "... on Shop { name } " * 300 + "} }",
    "mixed selections of one name": "{ shop { "
    + "name ...F ... on Shop { name } " * 100
    + "} } "
    + FRAGMENT,
}


@pytest.mark.parametrize("document", HOSTILE.values(), ids=HOSTILE.keys())
async def test_a_hostile_document_is_refused_within_the_budget(
    gql: GraphQLClient, document: str
) -> None:
    # What is measured is this document alone: not the app's first request, nor a
    # collection of garbage other tests left in this process.
    await gql("{ __typename }")
    gc.collect()
    started = time.process_time()
    body = await gql(document)
    spent = time.process_time() - started

    assert [e["extensions"]["code"] for e in body["errors"]] == ["QUERY_TOO_REPETITIVE"]
    assert body.get("data") is None
    assert spent < BUDGET_SECONDS, f"{spent * 1000:.0f} ms of CPU"


async def test_repeating_a_name_within_the_limit_is_fine(gql: GraphQLClient) -> None:
    document = "{ shop { " + "name " * 19 + "...F ... on Shop { currencyCode } } } " + FRAGMENT
    data = await gql.data(document)
    assert data["shop"]["name"]
