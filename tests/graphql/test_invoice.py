"""Order.invoice and the printable invoice page behind its signed, short-lived link."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import httpx
from sqlalchemy import delete
from sqlmodel import col

from adapters.clock import ManualClock
from models.order import Order
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.support import GraphQLClient

INVOICE = "query($id: ID!) { node(id: $id) { ... on Order { invoice { number issuedAt url } } } }"


async def invoice_url(gql: GraphQLClient, rt: Runtime, **customer: object) -> tuple[str, Order]:
    """A customer with one order, and the invoice link the API hands them."""
    row = await factories.customer(rt, **customer)
    beans = await factories.product(
        rt, title="Ethiopia Yirgacheffe", variants=[("12 oz", "18.00", True)]
    )
    order = await factories.order(
        rt, row, lines=[(beans.variants[0], 2)], placed_at=datetime(2026, 11, 20, 18, tzinfo=UTC)
    )
    data = await gql.data(
        INVOICE, {"id": to_global_id("Order", order.id)}, token=await factories.login(rt, row)
    )
    return data["node"]["invoice"]["url"], order


def path(url: str) -> str:
    assert url.startswith("http://testserver/invoices/")
    return url.removeprefix("http://testserver")


async def test_invoice_fields_and_a_compact_signed_url(gql: GraphQLClient, rt: Runtime) -> None:
    url, order = await invoice_url(gql, rt)

    token = url.rsplit("/", 1)[1]
    assert "=" not in token and len(token) <= 48
    assert base64.urlsafe_b64decode(token + "==")[:8] == order.id.to_bytes(8, "big")  # type: ignore[union-attr]
    data = await gql.data(
        INVOICE,
        {"id": to_global_id("Order", order.id)},
        token=await factories.login(rt, await factories.customer(rt)),
    )
    assert data["node"] is None


async def test_invoice_page_renders_a_printable_receipt(
    gql: GraphQLClient, rt: Runtime, http: httpx.AsyncClient
) -> None:
    # given
    url, order = await invoice_url(gql, rt)

    # when: no session needed, the signed link is the credential
    response = await http.get(path(url))

    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-robots-tag"] == "noindex"
    html = response.text
    assert '<html lang="en">' in html
    assert "@media print" in html
    for expected in (
        "Test Store",
        order.invoice_number,
        order.number,
        "November 20, 2026",
        "Ethiopia Yirgacheffe",
        "12 oz",
        "$18.00",  # unit price
        "$36.00",  # line total and subtotal
        "WELCOME",
        "&minus;$2.00",  # discount
        "Standard shipping",
        "$5.00",
        "$2.72",  # tax
        "$41.72",  # total
        "12 Analytical Way",
        "Brooklyn, NY 11201",
        "Visa •••• 4242",
    ):
        assert expected in html, expected
    assert html.count("12 Analytical Way") == 2  # billing and shipping


async def test_invoice_page_speaks_the_customers_language(
    gql: GraphQLClient, rt: Runtime, http: httpx.AsyncClient
) -> None:
    url, _ = await invoice_url(gql, rt, language="fr-CA")

    html = (await http.get(path(url))).text

    assert '<html lang="fr-CA">' in html
    assert "20 novembre 2026" in html
    assert "41,72\xa0$\xa0US" in html
    assert "Facture" in html and "Sous-total" in html


async def test_invoice_page_falls_back_to_english_for_an_unknown_language(
    gql: GraphQLClient, rt: Runtime, http: httpx.AsyncClient
) -> None:
    url, _ = await invoice_url(gql, rt, language="tlh")

    html = (await http.get(path(url))).text

    assert '<html lang="en">' in html
    assert "$41.72" in html


async def test_invoice_link_expires(
    gql: GraphQLClient, rt: Runtime, http: httpx.AsyncClient, clock: ManualClock
) -> None:
    url, _ = await invoice_url(gql, rt)

    clock.advance(seconds=rt.settings.invoice_link_ttl - 1)
    fresh = await http.get(path(url))
    clock.advance(seconds=1)
    expired = await http.get(path(url))

    assert fresh.status_code == 200
    assert expired.status_code == 404
    assert expired.headers["cache-control"] == "no-store"
    assert "invalid or has expired" in expired.text


async def test_tampered_or_garbage_invoice_links_are_not_found(
    gql: GraphQLClient, rt: Runtime, http: httpx.AsyncClient
) -> None:
    url, order = await invoice_url(gql, rt)
    other_url, _ = await invoice_url(gql, rt)
    token = url.rsplit("/", 1)[1]
    raw = bytearray(base64.urlsafe_b64decode(token + "=="))
    # Point the signed payload at the other order, keeping the original signature.
    raw[:8] = (order.id + 1).to_bytes(8, "big")  # type: ignore[operator]
    forged = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    spliced = forged[:-4] + other_url.rsplit("/", 1)[1][-4:]

    for bad in (forged, spliced, token[:-2], token + "AA", "x", "%00", "A" * 200):
        response = await http.get(f"/invoices/{bad}")
        assert response.status_code == 404, bad
        assert order.invoice_number not in response.text


async def test_invoice_link_of_a_deleted_order_is_not_found(
    gql: GraphQLClient, rt: Runtime, http: httpx.AsyncClient
) -> None:
    url, order = await invoice_url(gql, rt)
    async with rt.db.transaction() as session:
        await session.execute(delete(Order).where(col(Order.id) == order.id))

    response = await http.get(path(url))

    assert response.status_code == 404


async def test_invoice_page_escapes_what_it_prints(
    gql: GraphQLClient, rt: Runtime, http: httpx.AsyncClient
) -> None:
    row = await factories.customer(rt)
    evil = await factories.product(rt, title="<script>alert(1)</script>")
    order = await factories.order(rt, row, lines=[(evil.variants[0], 1)])
    data = await gql.data(
        INVOICE, {"id": to_global_id("Order", order.id)}, token=await factories.login(rt, row)
    )

    html = (await http.get(path(data["node"]["invoice"]["url"]))).text

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
