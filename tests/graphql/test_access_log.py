"""One JSON access line per request: operation, status, duration and request id."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from app.logs import JsonFormatter
from plumbing.runtime import Runtime
from tests import factories


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "http"]


async def test_a_named_operation_is_one_line_with_its_name(
    http: httpx.AsyncClient, rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    token = await factories.login(rt, await factories.customer(rt))
    with caplog.at_level(logging.INFO, logger="http"):
        response = await http.post(
            "/graphql",
            json={"query": "query Dashboard { me { email } shop { name } }"},
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-dashboard-1"},
        )

    [line] = access_lines(caplog)
    assert response.status_code == 200
    assert line["request_id"] == "req-dashboard-1" == response.headers["x-request-id"]
    assert (line["method"], line["path"], line["operation"], line["status"]) == (
        "POST",
        "/graphql",
        "Dashboard",
        200,
    )
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["msg"] == f"POST /graphql Dashboard 200 {line['duration_ms']}ms"
    assert token not in json.dumps(line)


async def test_the_operation_chosen_by_name_is_logged(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    query = "query A { shop { name } } query B { shop { timeZone } }"
    with caplog.at_level(logging.INFO, logger="http"):
        await http.post("/graphql", json={"query": query, "operationName": "B"})
        await http.get("/graphql", params={"query": "query Shop { shop { name } }"})
        await http.post("/graphql", json={"query": "{ shop { name } }"})

    assert [(line["method"], line["operation"]) for line in access_lines(caplog)] == [
        ("POST", "B"),
        ("GET", "Shop"),
        ("POST", None),
    ]


async def test_refused_requests_are_logged_with_their_status(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="http"):
        await http.post(
            "/graphql", json={"query": "{ me { email } }"}, headers={"Authorization": "Bearer x"}
        )
        await http.post("/graphql", data={"query": "{ shop { name } }"})
        await http.get("/healthz")

    lines = access_lines(caplog)
    assert [(line["path"], line["operation"], line["status"]) for line in lines] == [
        ("/graphql", None, 401),
        ("/graphql", None, 415),
        ("/healthz", None, 200),
    ]
    assert len({line["request_id"] for line in lines}) == 3
