"""Notification emails through a real SMTP server: the magic link signs in, languages hold."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email.header import decode_header, make_header
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col

from adapters.clock import ManualClock
from adapters.mail import SmtpEmailBackend
from adapters.sms import ConsoleSmsBackend
from app.worker import run_once
from models.shop import SHOP_ID, Shop
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.smtp import SmtpServer, link_token_in, text_part
from tests.support import GraphQLClient

SUBSCRIPTIONS = "{ me { subscriptions(first: 5) { edges { node { id status nextOrderDate } } } } }"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def mailer(smtp: SmtpServer) -> SmtpEmailBackend:  # replaces the console backend
    return SmtpEmailBackend("Test Store <store@example.com>", smtp.url, timeout=5)


async def test_upcoming_order_email_signs_the_customer_in_to_their_subscription(
    rt: Runtime, clock: ManualClock, smtp: SmtpServer, http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    # given: a subscription whose next order is three days (the default notice) away
    ada = await factories.customer(rt, email="ada@example.com", first_name="Ada")
    order_date = clock.now().date() + timedelta(days=3)
    sub = await factories.subscription(rt, ada, next_order_date=order_date)

    # when: the worker runs
    await run_once(rt)

    # then: one email, naming the date and the shop, with a sign-in link
    [message] = await smtp.wait_for("ada@example.com")
    assert (
        message["Subject"]
        == f"Your next Test Store order is on {order_date:%B} {order_date.day}, {order_date.year}"
    )
    assert message["From"] == "Test Store <store@example.com>"
    assert "Hello Ada," in text_part(message)
    token = link_token_in(message)
    # The link opens a page (mail scanners only GET it); its form signs in.
    page = await http.get("/auth/magic-link", params={"token": token})
    assert page.status_code == 200
    signed_in = await http.post(
        "/auth/magic-link", data={"token": token}, headers={"Origin": "http://testserver"}
    )
    assert signed_in.status_code == 303
    landing = urlsplit(signed_in.headers["location"])
    assert f"{landing.scheme}://{landing.netloc}{landing.path}" == (
        "https://shop.example/account/authenticate"
    )
    session_token = parse_qs(landing.fragment)["session_token"][0]
    data = await gql.data(SUBSCRIPTIONS, token=session_token)
    assert [edge["node"] for edge in data["me"]["subscriptions"]["edges"]] == [
        {
            "id": to_global_id("Subscription", sub.id),
            "status": "ACTIVE",
            "nextOrderDate": str(order_date),
        }
    ]

    # and: the next passes (the same day and the next) announce this cycle no more
    await run_once(rt)
    clock.advance(days=1)
    await run_once(rt)
    assert len(smtp.messages) == 1


async def test_order_placed_email_of_a_french_customer_is_in_french(
    rt: Runtime, clock: ManualClock, smtp: SmtpServer
) -> None:
    # given: a French-speaking customer whose subscription is due today
    amelie = await factories.customer(
        rt, email="amelie@example.com", language="fr", first_name="Amélie"
    )
    card = await factories.payment_method(rt, amelie)
    sub = await factories.subscription(
        rt, amelie, next_order_date=clock.now().date(), payment_method=card
    )

    # when: the worker renews it
    await run_once(rt)

    # then: the order-placed email is in French, with its order number and a sign-in link
    [message] = await smtp.wait_for("amelie@example.com")
    subject = str(make_header(decode_header(message["Subject"])))
    assert re.fullmatch(r"Votre commande Test Store #S\d+ est passée", subject)
    body = text_part(message)
    assert "Bonjour Amélie," in body
    assert "Votre commande d'abonnement" in body
    assert re.search(r"La prochaine est prévue le \d+ décembre 2026\.", body)
    assert link_token_in(message)
    assert sub.id is not None


@pytest.mark.parametrize(
    ("language", "locale", "expected"),
    [
        ("fr-CA", "en", "Bonjour"),
        ("de", "fr", "Hallo"),
        ("es", "en", "Hola"),
        # A language without a catalog (stored before it was withdrawn): the shop's.
        ("it", "fr", "Bonjour"),
        ("it", "en", "Hello"),
        ("en", "fr", "Hello"),
    ],
)
async def test_the_customers_language_then_the_shops_then_english(
    rt: Runtime, clock: ManualClock, smtp: SmtpServer, language: str, locale: str, expected: str
) -> None:
    async with rt.db.transaction() as session:
        await session.execute(update(Shop).where(col(Shop.id) == SHOP_ID).values(locale=locale))
    who = await factories.customer(rt, language=language)
    await factories.subscription(rt, who, next_order_date=clock.now().date() + timedelta(days=3))

    await run_once(rt)

    [message] = await smtp.wait_for(who.email)
    assert text_part(message).startswith(expected)


async def test_upcoming_order_is_texted_to_a_consenting_us_number(
    rt: Runtime, clock: ManualClock, smtp: SmtpServer, sms: ConsoleSmsBackend
) -> None:
    # given: one customer who agreed to texts (US number), one who did not
    yes = await factories.customer(rt, language="fr", phone="+14155550123", marketing_sms=True)
    no = await factories.customer(rt, phone="+14155550124", marketing_sms=False)
    for who in (yes, no):
        await factories.subscription(
            rt, who, next_order_date=clock.now().date() + timedelta(days=3)
        )

    await run_once(rt)

    await smtp.wait_for(no.email)
    [text] = list(sms.sent)
    assert text.to == "+14155550123"
    # French typography: a no-break space before the colon.
    assert text.body.startswith("Test Store\u00a0: votre prochaine commande est le 24 novembre")
    # The text carries the same single-use link as the email.
    [email] = await smtp.wait_for(yes.email)
    assert f"/auth/magic-link?token={link_token_in(email)}" in text.body
