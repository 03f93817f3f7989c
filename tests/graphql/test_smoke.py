from __future__ import annotations

from tests import factories
from tests.support import GraphQLClient


async def test_me_is_null_without_a_session(gql: GraphQLClient) -> None:
    data = await gql.data("{ me { id } shop { name currencyCode settings { supportEnabled } } }")
    assert data["me"] is None
    assert data["shop"] == {
        "name": "Test Store",
        "currencyCode": "USD",
        "settings": {"supportEnabled": True},
    }


async def test_me_with_a_session(gql: GraphQLClient, rt) -> None:  # type: ignore[no-untyped-def]
    row = await factories.customer(rt, first_name="Ada")
    token = await factories.login(rt, row)
    data = await gql.data("{ me { email firstName } }", token=token)
    assert data["me"] == {"email": row.email, "firstName": "Ada"}
