"""Default shipping and billing addresses: creating, setting, deleting and racing for them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests import factories
from tests.graphql.addresses_support import (
    DEFAULTS,
    DELETE,
    SET_DEFAULT,
    create,
    gid,
    table,
    valid,
    viewer,
)


def defaults(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    customer = payload["customer"]
    shipping, billing = customer["defaultShippingAddress"], customer["defaultBillingAddress"]
    return (shipping and shipping["id"], billing and billing["id"])


@pytest.mark.parametrize("flags", [{}, {"defaultShipping": None, "defaultBilling": None}])
async def test_first_address_becomes_both_defaults(gql, rt, flags) -> None:  # type: ignore[no-untyped-def]
    _, token = await viewer(rt)

    result = await create(gql, token, valid(), **flags)

    assert result["userErrors"] == []
    assert result["address"]["isDefaultShipping"] and result["address"]["isDefaultBilling"]
    assert defaults(result) == (result["address"]["id"], result["address"]["id"])


async def test_first_address_with_explicit_false_is_no_default(gql, rt) -> None:  # type: ignore[no-untyped-def]
    _, token = await viewer(rt)

    result = await create(gql, token, valid(), defaultShipping=False, defaultBilling=False)

    assert result["address"]["isDefaultShipping"] is False
    assert result["address"]["isDefaultBilling"] is False
    assert defaults(result) == (None, None)


async def test_later_addresses_do_not_take_the_defaults(gql, rt) -> None:  # type: ignore[no-untyped-def]
    _, token = await viewer(rt)
    first = await create(gql, token, valid())

    second = await create(gql, token, valid(line1="2 Side St"))

    assert (second["address"]["isDefaultShipping"], second["address"]["isDefaultBilling"]) == (
        False,
        False,
    )
    assert defaults(second) == (first["address"]["id"], first["address"]["id"])


async def test_a_new_default_shipping_address_leaves_billing_alone(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    old = await factories.address(rt, customer, default_shipping=True, default_billing=True)

    result = await create(gql, token, valid(), defaultShipping=True)

    assert defaults(result) == (result["address"]["id"], gid(old))
    flags = [(r["is_default_shipping"], r["is_default_billing"]) for r in await table(rt)]
    assert flags == [(False, True), (True, False)]


async def test_set_default_moves_one_kind_only(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    a = await factories.address(rt, customer, default_shipping=True, default_billing=True)
    b = await factories.address(rt, customer)

    shipping = await gql.data(
        SET_DEFAULT, {"input": {"id": gid(b), "kind": "SHIPPING"}}, token=token
    )
    billing = await gql.data(SET_DEFAULT, {"input": {"id": gid(b), "kind": "BILLING"}}, token=token)

    assert shipping["setDefaultAddress"]["userErrors"] == []
    assert defaults(shipping["setDefaultAddress"]) == (gid(b), gid(a))
    assert defaults(billing["setDefaultAddress"]) == (gid(b), gid(b))
    assert billing["setDefaultAddress"]["address"]["isDefaultShipping"] is True
    flags = [(r["is_default_shipping"], r["is_default_billing"]) for r in await table(rt)]
    assert flags == [(False, False), (True, True)]


async def test_a_later_mutation_in_the_same_request_sees_the_new_defaults(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    a = await factories.address(rt, customer, default_shipping=True)
    b = await factories.address(rt, customer)
    query = f"""mutation($a: ID!, $b: ID!) {{
      first: setDefaultAddress(input: {{id: $a, kind: SHIPPING}}) {{ {DEFAULTS} }}
      second: setDefaultAddress(input: {{id: $b, kind: SHIPPING}}) {{ {DEFAULTS} }} }}"""

    data = await gql.data(query, {"a": gid(a), "b": gid(b)}, token=token)

    assert defaults(data["first"]) == (gid(a), None)
    assert defaults(data["second"]) == (gid(b), None)


async def test_set_default_on_the_current_default_changes_nothing(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    a = await factories.address(rt, customer, default_shipping=True)
    before = await table(rt)

    data = await gql.data(SET_DEFAULT, {"input": {"id": gid(a), "kind": "SHIPPING"}}, token=token)

    assert data["setDefaultAddress"]["userErrors"] == []
    assert await table(rt) == before


async def test_deleting_a_default_leaves_that_default_empty(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await viewer(rt)
    a = await factories.address(rt, customer, default_shipping=True)
    b = await factories.address(rt, customer, default_billing=True)
    c = await factories.address(rt, customer)

    data = await gql.data(DELETE, {"input": {"id": gid(a)}}, token=token)

    result = data["deleteAddress"]
    assert result["userErrors"] == []
    assert result["deletedAddressId"] == gid(a)
    assert defaults(result) == (None, gid(b))
    rows = await table(rt)
    assert [(r["id"], r["is_default_shipping"]) for r in rows] == [(b.id, False), (c.id, False)]


async def test_concurrent_first_addresses_make_one_default(gql, rt) -> None:  # type: ignore[no-untyped-def]
    _, token = await viewer(rt)

    results = await asyncio.gather(
        *(create(gql, token, valid(line1=f"{n} Main St")) for n in range(4))
    )

    assert all(result["userErrors"] == [] for result in results)
    rows = await table(rt)
    assert sum(r["is_default_shipping"] for r in rows) == 1
    assert sum(r["is_default_billing"] for r in rows) == 1
