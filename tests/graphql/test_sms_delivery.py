"""SMS through the HTTP provider adapter, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from adapters.mail import ConsoleEmailBackend
from adapters.sms import HttpSmsBackend
from plumbing.runtime import Runtime
from tests import factories
from tests.sms_provider import SmsProvider
from tests.support import GraphQLClient

REQUEST = """mutation($phone: String) {
  requestLoginCode(input: {phone: $phone}) { userErrors { code field } } }"""
VERIFY = """mutation($phone: String, $code: String!) {
  verifyLoginCode(input: {phone: $phone, code: $code}) {
    customer { email } userErrors { code } } }"""


@pytest.fixture
def provider() -> Iterator[SmsProvider]:
    with SmsProvider() as server:
        yield server


@pytest.fixture
async def sms(provider: SmsProvider) -> AsyncIterator[HttpSmsBackend]:  # replaces the console one
    backend = HttpSmsBackend(provider.url("AC123", "s3cret"), "+15550100000", timeout=5)
    yield backend
    await backend.aclose()


async def test_the_code_reaches_the_provider_and_logs_the_customer_in(
    gql: GraphQLClient, rt: Runtime, provider: SmsProvider
) -> None:
    await factories.customer(rt, email="ada@example.com", phone="+14155550123")

    await gql.data(REQUEST, {"phone": "+1 415 555 0123"})

    [sent] = provider.received
    assert sent.path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert sent.authorization == "Basic " + base64.b64encode(b"AC123:s3cret").decode()
    assert sent.form["To"] == "+14155550123"
    assert sent.form["From"] == "+15550100000"
    code = sent.form["Body"].split()[0]
    result = (await gql.data(VERIFY, {"phone": "+14155550123", "code": code}))["verifyLoginCode"]
    assert result == {"customer": {"email": "ada@example.com"}, "userErrors": []}


async def test_a_provider_failure_is_logged_in_one_line_and_the_reply_does_not_change(
    gql: GraphQLClient,
    rt: Runtime,
    provider: SmsProvider,
    mailer: ConsoleEmailBackend,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await factories.customer(rt, email="ada@example.com", phone="+14155550123")
    await factories.customer(rt, email="grace@example.com", phone="+14155550124")
    delivered = await gql.raw(REQUEST, {"phone": "+14155550123"})
    provider.status = 503

    with caplog.at_level(logging.ERROR, logger="deliveries"):
        failed = await gql.raw(REQUEST, {"phone": "+14155550124"})

    assert failed.content == delivered.content
    assert len(provider.received) == 2
    assert list(mailer.sent) == []
    [record] = [r for r in caplog.records if r.name == "deliveries"]
    assert record.getMessage().startswith(
        "sms (login code) delivery failed: SMS provider answered 503"
    )
    assert record.exc_info is None  # one line: the provider's fault is no traceback of ours
    assert record.request_id == failed.headers["X-Request-ID"]  # type: ignore[attr-defined]
