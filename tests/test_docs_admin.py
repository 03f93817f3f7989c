"""Every example of docs/admin.md runs in order against a fresh store, with the key
the document's own `api-key create` command would make."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import httpx

from auth.api_keys import create_key
from models.order import Order
from plumbing.runtime import Runtime
from tests.admin.support import ADMIN

DOC = Path(__file__).resolve().parent.parent / "docs" / "admin.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.S)


def _scopes() -> list[str]:
    [command] = [line for line in _blocks("sh")[0].splitlines() if "api-key create" in line]
    words = shlex.split(command)
    return [words[i + 1] for i, word in enumerate(words) if word == "--scope"]


async def test_the_admin_examples_run_in_order(http: httpx.AsyncClient, rt: Runtime) -> None:
    key = (await create_key(rt, name="docs", scopes=_scopes())).token
    operations = _blocks("graphql")
    assert len(operations) == 5
    values: dict[str, str] = {}
    for operation in operations:
        for placeholder, value in values.items():
            operation = operation.replace(placeholder, value)
        assert "<" not in operation, operation
        response = await http.post(
            ADMIN, json={"query": operation}, headers={"Authorization": f"Bearer {key}"}
        )
        body = response.json()
        assert "errors" not in body, body["errors"]
        for name, answer in body["data"].items():
            if isinstance(answer, dict) and "userErrors" in answer:
                assert answer["userErrors"] == [], (name, answer)
        if "ingestOrder" in body["data"]:
            values["<order id>"] = body["data"]["ingestOrder"]["order"]["id"]
    final = body["data"]
    assert final["order"]["fulfillmentStatus"] == "IN_TRANSIT"
    assert final["customer"]["email"] == "marie.curie@example.com"
    async with rt.db.read() as session:
        order = await session.get(Order, 1)
    assert order is not None and order.store_order_id == "order-5001"
