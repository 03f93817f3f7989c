"""Queries and helpers shared by the payment-method test modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from models.address import PaymentMethod
from plumbing.runtime import Runtime
from tests import factories
from tests.support import GraphQLClient

CARD = """id brand last4 expiryMonth expiryYear isDefault
  billingAddress { line1 city postalCode countryCode }"""
ADD = f"""
mutation($input: AddPaymentMethodInput!) {{
  addPaymentMethod(input: $input) {{
    paymentMethod {{ {CARD} }}
    userErrors {{ code field message }}
  }}
}}"""


async def cards(rt: Runtime) -> list[dict[str, Any]]:
    async with rt.db.read() as session:
        rows = (await session.scalars(select(PaymentMethod).order_by(col(PaymentMethod.id)))).all()
    return [row.model_dump() for row in rows]


async def viewer(rt: Runtime) -> tuple[Any, str]:
    row = await factories.customer(rt)
    return row, await factories.login(rt, row)


async def add_card(gql: GraphQLClient, token: str, **input: Any) -> dict[str, Any]:
    data = await gql.data(ADD, {"input": input}, token=token)
    result: dict[str, Any] = data["addPaymentMethod"]
    return result
