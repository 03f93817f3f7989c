"""Codes are sent after the reply: over a real server, with slow, silent and
failing SMTP and SMS providers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from adapters.mail import SmtpEmailBackend
from adapters.sms import HttpSmsBackend
from app.main import create_app
from config import Settings
from models.customer import Customer
from models.database import Database
from plumbing.runtime import Runtime
from tests import factories
from tests.live_server import serving
from tests.sms_provider import SmsProvider
from tests.smtp import SmtpServer, code_in

REQUEST = """mutation($email: String, $phone: String) {
  requestLoginCode(input: {email: $email, phone: $phone}) { userErrors { code } } }"""
VERIFY = """mutation($email: String, $phone: String, $code: String!) {
  verifyLoginCode(input: {email: $email, phone: $phone, code: $code}) {
    customer { email } userErrors { code } } }"""
KNOWN, UNKNOWN = "+14155550123", "+14155550199"
# Requests per group in the timing comparison.
ROUNDS = 200


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {
        "smtp_timeout": 0.5,
        "sms_timeout": 0.5,
        # The timing test asks for a code 200 times for one number, from one IP.
        "login_codes_per_window": 1_000,
        "login_requests_per_ip": 10_000,
    }


@pytest.fixture
def provider() -> Iterator[SmsProvider]:
    with SmsProvider() as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def mailer(smtp: SmtpServer, settings: Settings) -> SmtpEmailBackend:
    return SmtpEmailBackend(settings.email_from, smtp.url, timeout=settings.smtp_timeout)


@pytest.fixture
async def sms(provider: SmsProvider, settings: Settings) -> AsyncIterator[HttpSmsBackend]:
    backend = HttpSmsBackend(
        provider.url("AC1", "secret"), "+15550100000", timeout=settings.sms_timeout
    )
    yield backend
    await backend.aclose()


@pytest.fixture
async def client(settings: Settings, rt: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    await factories.customer(rt, email="ada@example.com", phone=KNOWN)
    async with (
        serving(create_app(settings, runtime=rt)) as server,
        httpx.AsyncClient(base_url=server.url, timeout=10) as http,
    ):
        yield http


async def post(http: httpx.AsyncClient, query: str, **variables: str) -> httpx.Response:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response


async def timed_request(http: httpx.AsyncClient, **variables: str) -> float:
    started = time.perf_counter()
    response = await post(http, REQUEST, **variables)
    elapsed = time.perf_counter() - started
    assert response.json()["data"]["requestLoginCode"]["userErrors"] == []
    return elapsed


async def failures_logged(caplog: pytest.LogCaptureFixture, seconds: float = 5) -> list:  # type: ignore[type-arg]
    for _ in range(int(seconds / 0.02)):
        found = [r for r in caplog.records if r.name == "deliveries"]
        if found:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"no delivery failure logged within {seconds}s")


@pytest.fixture
def served_process(tmp_path: Path, provider: SmsProvider) -> Iterator[str]:
    """`python -m app serve` in its own process, as deployed (migrated SQLite, the
    HTTP SMS backend pointed at the provider), with Ada's account; its base URL.

    A process of its own, not the test's event loop: there the test's client
    would wait behind whatever the server runs after writing a reply."""
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "test",
        "VAR_DIR": str(tmp_path / "served"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'served.db'}",
        "SECRET_KEY": "served-" + "x" * 40,
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "SMS_BACKEND": "http",
        "SMS_URL": provider.url("AC1", "secret"),
        "SMS_FROM": "+15550100000",
        "LOGIN_CODES_PER_WINDOW": "1000",
        "LOGIN_REQUESTS_PER_IP": "10000",
    }
    subprocess.run([sys.executable, "-m", "app", "migrate"], env=env, check=True)
    asyncio.run(_add_ada(env["DATABASE_URL"]))
    server = subprocess.Popen([sys.executable, "-m", "app", "serve"], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start within 30 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _add_ada(url: str) -> None:
    db = Database(url)
    try:
        async with db.transaction() as session:
            now = datetime.now(UTC)
            session.add(
                Customer(email="ada@example.com", phone=KNOWN, created_at=now, updated_at=now)
            )
    finally:
        await db.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_known_and_unknown_numbers_answer_alike_with_a_slow_provider(
    served_process: str, provider: SmsProvider
) -> None:
    provider.delay = 0.1  # each message takes the provider 100 ms
    # In a shuffled order, so both kinds see the same machine, and the same share
    # of the deliveries still running from earlier requests.
    order = [KNOWN, UNKNOWN] * ROUNDS
    random.Random(11).shuffle(order)  # noqa: S311 (a test's order, no secret)
    times: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}

    async with httpx.AsyncClient(base_url=served_process, timeout=10) as client:
        for phone in [KNOWN, UNKNOWN] * 10:  # the server's caches and pools, both ways
            await timed_request(client, phone=phone)
        for phone in order:
            times[phone].append(await timed_request(client, phone=phone))
        known, unknown = times[KNOWN], times[UNKNOWN]
        difference_ms = abs(statistics.median(known) - statistics.median(unknown)) * 1000
        # What would leak is the provider's 100 ms; the bound leaves room for the noise
        # of a machine busy with other work, far below that.
        assert difference_ms < 15, (
            difference_ms,
            statistics.median(known),
            statistics.median(unknown),
        )

        # Every code for the known number still arrives, and the last one signs in.
        expected = 10 + ROUNDS
        for _ in range(500):
            if provider.answered >= expected:
                break
            await asyncio.sleep(0.02)
        assert len(provider.received) == provider.answered == expected
        await timed_request(client, phone=KNOWN)
        for _ in range(250):
            if provider.answered > expected:
                break
            await asyncio.sleep(0.02)
        code = provider.received[-1].form["Body"].split()[0]
        verified = (await post(client, VERIFY, phone=KNOWN, code=code)).json()["data"]
    assert verified["verifyLoginCode"] == {
        "customer": {"email": "ada@example.com"},
        "userErrors": [],
    }


@pytest.mark.parametrize("delay", [5.0, 3600.0], ids=["5s-per-reply", "silent"])
async def test_a_slow_or_silent_smtp_server_neither_delays_login_nor_stops_later_mail(
    client: httpx.AsyncClient,
    smtp: SmtpServer,
    caplog: pytest.LogCaptureFixture,
    delay: float,
) -> None:
    smtp.delay = delay

    with caplog.at_level(logging.ERROR, logger="deliveries"):
        started = time.perf_counter()
        response = await post(client, REQUEST, email="ada@example.com")
        elapsed = time.perf_counter() - started
        [failure] = await failures_logged(caplog)

    assert elapsed < 1.0
    assert response.json()["data"]["requestLoginCode"]["userErrors"] == []
    assert failure.getMessage() == (
        f"email (login_code) delivery failed: SMTP 127.0.0.1:{smtp.port} gave no answer"
        " within 0.5 s"
    )
    assert failure.exc_info is None
    assert failure.request_id == response.headers["X-Request-ID"]  # type: ignore[attr-defined]
    # The server heals: the next request's mail arrives and its code signs in.
    smtp.delay = 0
    healed = await post(client, REQUEST, email="ada@example.com")
    assert healed.json()["data"]["requestLoginCode"]["userErrors"] == []
    [message] = await smtp.wait_for("ada@example.com")
    verified = (await post(client, VERIFY, email="ada@example.com", code=code_in(message))).json()
    assert verified["data"]["verifyLoginCode"]["customer"] == {"email": "ada@example.com"}


async def test_a_hung_sms_provider_neither_delays_login_nor_stops_later_texts(
    client: httpx.AsyncClient, provider: SmsProvider, caplog: pytest.LogCaptureFixture
) -> None:
    provider.delay = 3600

    with caplog.at_level(logging.ERROR, logger="deliveries"):
        started = time.perf_counter()
        response = await post(client, REQUEST, phone=KNOWN)
        elapsed = time.perf_counter() - started
        [failure] = await failures_logged(caplog)

    assert elapsed < 1.0
    assert failure.getMessage() == (
        "sms (login code) delivery failed: SMS provider gave no answer within 0.5 s"
    )
    # The log line names the request it came from.
    assert failure.request_id == response.headers["X-Request-ID"]  # type: ignore[attr-defined]
    provider.delay = 0
    await post(client, REQUEST, phone=KNOWN)
    for _ in range(250):
        if provider.answered:
            break
        await asyncio.sleep(0.02)
    code = provider.received[-1].form["Body"].split()[0]
    verified = (await post(client, VERIFY, phone=KNOWN, code=code)).json()["data"]
    assert verified["verifyLoginCode"]["customer"] == {"email": "ada@example.com"}


async def test_a_shutdown_waits_for_the_deliveries_it_accepted(
    settings: Settings, rt: Runtime, provider: SmsProvider, caplog: pytest.LogCaptureFixture
) -> None:
    await factories.customer(rt, email="ada@example.com", phone=KNOWN)
    provider.delay = 0.3  # within SMS_TIMEOUT (0.5 s here)
    async with serving(create_app(settings, runtime=rt)) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            await timed_request(http, phone=KNOWN)
        assert provider.answered == 0  # the reply came first
        with caplog.at_level(logging.ERROR, logger="deliveries"):
            await server.stop()

    assert provider.answered == 1 and rt.courier.pending == 0
    assert [r for r in caplog.records if r.name == "deliveries"] == []
