"""SIGTERM to a real served process under 16 concurrent clients: every request
that got a connection gets a complete 200, and the process exits 0."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CLIENTS = 16
QUERY = {"query": "{ shop { name } me { id } }"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(tmp_path: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "VAR_DIR": str(tmp_path),
        "PORT": str(port),
        "APP_ENV": "development",
        "LOG_LEVEL": "WARNING",
    }


async def _client(url: str, outcomes: list[tuple[float, float, str]]) -> None:
    """Requests back to back on one keep-alive connection, as a browser or a
    storefront server would, until the server refuses new connections."""
    async with httpx.AsyncClient(timeout=30) as client:
        while True:
            started = time.monotonic()
            try:
                response = await client.post(url, json=QUERY)
            except httpx.ConnectError:
                return  # no connection: not an accepted request
            except httpx.HTTPError as error:
                outcomes.append((started, time.monotonic(), f"{type(error).__name__}: {error}"))
                continue
            ok = response.status_code == 200 and response.json()["data"]["shop"]["name"]
            outcomes.append((started, time.monotonic(), "ok" if ok else response.text))


@pytest.fixture(params=[1, 2], ids=["1-worker", "2-workers"])
def served(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[subprocess.Popen[str], int, int]]:
    """`serve --workers N` on a migrated, seeded SQLite database."""
    port = _free_port()
    env = _environment(tmp_path, port)
    for command in ("migrate", "seed"):
        subprocess.run([sys.executable, "-m", "app", command], env=env, check=True, timeout=120)
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--workers", str(request.param)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield server, port, request.param
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()


async def test_sigterm_finishes_every_accepted_request_and_exits_0(
    served: tuple[subprocess.Popen[str], int, int],
) -> None:
    server, port, workers = served
    url = f"http://127.0.0.1:{port}/graphql"
    async with httpx.AsyncClient() as probe:
        for _ in range(300):
            try:
                if (await probe.post(url, json=QUERY)).status_code == 200:
                    break
            except httpx.TransportError:
                await asyncio.sleep(0.1)
        else:
            pytest.fail("the server did not answer within 30 s")
        if workers > 1:
            await asyncio.sleep(1)  # the second worker is up too

    outcomes: list[tuple[float, float, str]] = []
    clients = [asyncio.create_task(_client(url, outcomes)) for _ in range(CLIENTS)]
    await asyncio.sleep(1.5)
    sigterm_at = time.monotonic()
    server.send_signal(signal.SIGTERM)
    await asyncio.wait_for(asyncio.gather(*clients), timeout=30)
    _, log = await asyncio.to_thread(server.communicate, timeout=30)

    failures = [outcome for _, _, outcome in outcomes if outcome != "ok"]
    assert failures == [], failures
    # Some requests were on the wire when the signal came, and were answered.
    in_flight = [1 for started, ended, _ in outcomes if started < sigterm_at < ended]
    assert in_flight, "no request was in flight at SIGTERM"
    assert server.returncode == 0, log
    assert "Traceback" not in log, log
