"""Queries and helpers shared by the profile test modules."""

from __future__ import annotations

from typing import Any

from models.customer import Customer
from plumbing.runtime import Runtime
from tests import factories

PROFILE = "id email phone firstName lastName language marketingConsent { email sms }"
ERRORS = "userErrors { code field message }"
REQUEST = f"""mutation($input: RequestEmailChangeInput!) {{
  requestEmailChange(input: $input) {{ {ERRORS} }} }}"""
CONFIRM = f"""mutation($input: ConfirmEmailChangeInput!) {{
  confirmEmailChange(input: $input) {{ customer {{ {PROFILE} }} {ERRORS} }} }}"""
CONSENT = f"""mutation($input: UpdateMarketingConsentInput!) {{
  updateMarketingConsent(input: $input) {{ customer {{ {PROFILE} }} {ERRORS} }} }}"""


async def viewer(rt: Runtime, **fields: Any) -> tuple[Customer, str]:
    row = await factories.customer(rt, **fields)
    return row, await factories.login(rt, row)


async def stored(rt: Runtime, row: Customer) -> dict[str, Any]:
    async with rt.db.read() as session:
        fresh = await session.get(Customer, row.id)
    assert fresh is not None
    return fresh.model_dump()


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]
