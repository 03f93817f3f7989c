"""Requests that must not crash the server or leak the schema."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from app.main import create_app
from config import Settings
from plumbing.runtime import Runtime

PRODUCTION = {
    "app_env": "production",
    "database_url": "postgresql+asyncpg://unused/unused",
    "public_url": "https://account.example.com",
    "email_backend": "smtp",
    "smtp_url": "smtp://127.0.0.1:2525",
    "sms_backend": "none",
}


@pytest.mark.parametrize("body", [b"null", b'"x"', b"1", b"true", b"1.5"])
async def test_a_json_body_that_is_not_an_object_is_a_bad_request(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    with caplog.at_level(logging.INFO):
        response = await http.post(
            "/graphql", content=body, headers={"Content-Type": "application/json"}
        )

    assert response.status_code == 400
    assert "Unable to parse" in response.text
    assert not [r for r in caplog.records if r.exc_info]


async def test_field_suggestions_are_given_in_development(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ shop { nam } }"})
    assert "Did you mean 'name'?" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("settings_overrides", [PRODUCTION])
async def test_field_suggestions_are_off_in_production(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ shop { nam } }"})

    [error] = response.json()["errors"]
    assert error["message"] == "Cannot query field 'nam' on type 'Shop'."


async def test_a_client_leaving_mid_body_is_one_log_line(
    settings: Settings, rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings, runtime=rt)
    messages = [
        {"type": "http.request", "body": b'{"query": "{ shop', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"testserver")],
        "client": ("203.0.113.10", 50000),
        "server": ("testserver", 80),
    }
    with caplog.at_level(logging.INFO):
        await app(scope, receive, send)

    assert not [r for r in caplog.records if r.exc_info]
    assert [r.getMessage() for r in caplog.records if r.name == "http" and "disconnect" in r.msg]
    # Nobody is left to answer.
    assert sent == []
