"""Codes are sent after the reply: over a real server, with slow, silent and
failing SMTP and SMS providers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from adapters.mail import SmtpEmailBackend
from adapters.sms import HttpSmsBackend
from app.main import create_app
from config import Settings
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


async def test_known_and_unknown_numbers_answer_alike_with_a_slow_provider(
    client: httpx.AsyncClient, rt: Runtime, provider: SmsProvider
) -> None:
    provider.delay = 0.1  # each message takes the provider 100 ms

    known, unknown = [], []
    for _ in range(ROUNDS):  # interleaved, so both see the same machine
        known.append(await timed_request(client, phone=KNOWN))
        unknown.append(await timed_request(client, phone=UNKNOWN))
    await rt.courier.drain()

    difference_ms = abs(statistics.median(known) - statistics.median(unknown)) * 1000
    assert difference_ms < 5, (difference_ms, statistics.median(known), statistics.median(unknown))
    # Every code for the known number still arrived, and the last one signs in.
    assert provider.answered == ROUNDS
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
