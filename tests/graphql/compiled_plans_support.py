"""Two apps over one database, one answering from compiled plans and one without,
and the corpus of documents whose answers must be the same bytes from both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette

from app.main import create_app
from config import Settings
from plumbing.runtime import Runtime
from schema.common.plans import Plans


@dataclass
class Pair:
    planned: httpx.AsyncClient
    general: httpx.AsyncClient
    plans: Plans

    async def both(
        self, query: str, variables: dict[str, object] | None = None, *, token: str | None = None
    ) -> tuple[httpx.Response, httpx.Response]:
        body = {"query": query, "variables": variables or {}}
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        planned = await self.planned.post("/graphql", json=body, headers=headers)
        general = await self.general.post("/graphql", json=body, headers=headers)
        return planned, general


def _client(app: Starlette) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@asynccontextmanager
async def pair(settings: Settings, rt: Runtime) -> AsyncIterator[Pair]:
    planned_app = create_app(settings.model_copy(update={"compiled_plans": True}), runtime=rt)
    general_app = create_app(settings.model_copy(update={"compiled_plans": False}), runtime=rt)
    assert general_app.state.plans is None
    async with _client(planned_app) as planned, _client(general_app) as general:
        yield Pair(planned, general, planned_app.state.plans)
    await rt.courier.drain()


# The storefront dashboard of docs/performance.md.
STOREFRONT = """query Dashboard($n: Int!) { me { firstName lastName email orders(first: $n) {
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { node { number placedAt status summary { total { amount currencyCode } }
    shippingAddress { line1 city countryCode }
    lineItems { title quantity unitPrice { amount currencyCode } }
    timeline { status happenedAt message trackingNumber } } } } } }"""

# docs/queries.md, "Account dashboard".
QUERIES_DASHBOARD = """query Dashboard {
  shop { name currencyCode settings { orderCancellationEnabled supportEnabled } }
  me {
    firstName lastName email phone language marketingConsent { email sms }
    defaultShippingAddress { line1 city countryCode }
    paymentMethods { id brand last4 expiryMonth expiryYear isDefault }
    orders(first: 10) {
      pageInfo { hasNextPage endCursor }
      edges { node {
        id number placedAt status fulfillmentStatus canCancel
        lineItems { title variantTitle quantity totalPrice { amount currencyCode } }
        summary { subtotal { amount } discounts { code amount { amount } } shipping { amount }
                  tax { amount } total { amount currencyCode } }
        timeline { status happenedAt message reason carrier trackingNumber trackingUrl }
        invoice { number url }
      } }
    }
    tickets(first: 10, status: OPEN) { edges { node { number subject status updatedAt } } }
  }
}"""

# docs/queries.md, "Subscriptions".
SUBSCRIPTION_PAGE = """query SubscriptionPage($id: ID!) {
  shop { settings { maxSkipCycles dateHorizonDays subscriptionActions { skip pause cancel } } }
  node(id: $id) { ... on Subscription {
    id status nextOrderDate pausedUntil isPrepaid prepaidOrdersRemaining
    frequency { interval intervalCount } availableFrequencies { interval intervalCount }
    lines { id quantity oneTime unitPrice { amount currencyCode }
      variant { id title product { title } } }
    shippingAddress { line1 city countryCode } paymentMethod { brand last4 }
    upcomingOrder { date subtotal { amount } discounts { code title amount { amount } }
      total { amount } }
    schedule(first: 6) { date skipped }
    pauseOptions { id label days } cancelReasons { code label requiresComment }
    retentionOffer { id title price { amount } }
    upsellVariants(first: 5) { id title price { amount } product { title } }
    orders(first: 5) { edges { node { number placedAt status } } }
    history(first: 10) { edges { node { action actor happenedAt before after } } }
  } }
}"""

# The order and ticket pages, as a storefront asks for them under `me`.
ORDER_PAGE = """query OrderPage($after: String) { me { orders(first: 1, after: $after) { edges {
  cursor node { id number placedAt status fulfillmentStatus canCancel
    contact { email phone } paymentMethod { brand last4 }
    shippingMethod { title price { amount currencyCode } }
    shippingAddress { firstName lastName line1 line2 city province postalCode countryCode phone }
    billingAddress { line1 city countryCode }
    lineItems { id title variantTitle sku quantity unitPrice { amount currencyCode }
      totalPrice { amount currencyCode } variant { id title available product { title handle } } }
    summary { subtotal { amount } discounts { code title amount { amount } } shipping { amount }
      tax { amount } total { amount currencyCode } }
    timeline { status happenedAt message trackingNumber trackingUrl carrier reason }
    invoice { number issuedAt url } } } } } }"""

TICKET_PAGE = """query TicketPage { me { tickets(first: 5) { pageInfo { hasNextPage endCursor }
  edges { cursor node { id number subject status createdAt updatedAt order { id number }
    messages { id author body createdAt } } } } } }"""

# Aliases, fragments, inline fragments, merged repeats, __typename, @include/@skip.
SHAPES = """query Shapes($n: Int!, $withLines: Boolean!, $noTimeline: Boolean!) {
  __typename
  viewer: me { __typename ...Names email
    recent: orders(first: $n) { ...Page edges { node { ... on Order { number status } } } }
    oldest: orders(first: 1, after: null) { edges { cursor } }
  }
  me { firstName ...Names }
}
fragment Names on Customer { firstName lastName first: firstName }
fragment Page on OrderConnection {
  pageInfo { endCursor }
  edges { node { __typename id number placedAt
    lineItems @include(if: $withLines) { title quantity }
    timeline @skip(if: $noTimeline) { status }
    summary { total { ...Amount } tax { ...Amount } } } }
}
fragment Amount on Money { amount currencyCode }"""
