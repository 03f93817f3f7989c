"""Queries and helpers shared by the address-book test modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models.address import Address
from models.customer import Customer
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.support import GraphQLClient

FIELDS = "id line1 line2 city postalCode countryCode phone isDefaultShipping isDefaultBilling"
DEFAULTS = "customer { defaultShippingAddress { id } defaultBillingAddress { id } }"
ERRORS = "userErrors { code field message }"
CREATE = f"""mutation($input: CreateAddressInput!) {{
  createAddress(input: $input) {{ address {{ {FIELDS} }} {DEFAULTS} {ERRORS} }} }}"""
DELETE = f"""mutation($input: DeleteAddressInput!) {{
  deleteAddress(input: $input) {{ deletedAddressId {DEFAULTS} {ERRORS} }} }}"""
SET_DEFAULT = f"""mutation($input: SetDefaultAddressInput!) {{
  setDefaultAddress(input: $input) {{ address {{ {FIELDS} }} {DEFAULTS} {ERRORS} }} }}"""
OMIT = object()


def valid(**overrides: Any) -> dict[str, Any]:
    address = {"line1": "1 Main St", "city": "Springfield", "postalCode": "62701"}
    address = {**address, "countryCode": "US", **overrides}
    return {k: v for k, v in address.items() if v is not OMIT}


def gid(row: Address) -> str:
    assert row.id is not None
    return to_global_id("Address", row.id)


async def viewer(rt: Runtime) -> tuple[Customer, str]:
    row = await factories.customer(rt)
    return row, await factories.login(rt, row)


async def table(rt: Runtime) -> list[dict[str, Any]]:
    async with rt.db.read() as session:
        rows = (await session.scalars(select(Address).order_by(Address.id))).all()  # type: ignore[arg-type]
    return [row.model_dump() for row in rows]


async def create(gql: GraphQLClient, token: str, address: dict[str, Any], **flags: Any) -> Any:
    data = await gql.data(CREATE, {"input": {"address": address, **flags}}, token=token)
    return data["createAddress"]
