"""GraphiQL served by the app itself: no CDN, so it works offline and behind firewalls.

The page loads React, ReactDOM and GraphiQL from `app/static/graphiql/` (the
npm packages' production builds with their licences, see `make vendor-graphiql`)
and opens with tabs of example operations, the login flow first.
"""

from __future__ import annotations

from pathlib import Path

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.staticfiles import StaticFiles

ASSETS_PATH = "/graphiql"
ASSETS_DIR = Path(__file__).parent / "static" / "graphiql"

_pages = Environment(loader=PackageLoader("app", "templates"), autoescape=select_autoescape())

# Shown in the headers editor of every tab that needs a session: running one
# before pasting a real token answers 401 with a message that says what to do.
AUTHORIZATION_HINT = "Bearer PASTE-session.token-FROM-VerifyCode"
HEADERS_HINT = orjson.dumps(
    {"Authorization": AUTHORIZATION_HINT}, option=orjson.OPT_INDENT_2
).decode()

LOGIN = """# 1. Log in (or register) with a code sent by email.
#
# Run "RequestCode" (the play button lets you choose the operation), then read
# the code: the demo prints every email in the server's log and also writes it
# to ./var/outbox/ (EMAIL_BACKEND=console); SMS codes are printed in the log.
# Put the code in the variables below and run "VerifyCode".
#
# 2. Copy `session.token` into the headers editor of the other tabs:
#      {"Authorization": "Bearer <token>"}
# A token that is wrong or expired answers 401 (`UNAUTHENTICATED`).

mutation RequestCode($email: String!) {
  requestLoginCode(input: {email: $email}) {
    userErrors { code field message }
  }
}

mutation VerifyCode($email: String!, $code: String!) {
  verifyLoginCode(input: {email: $email, code: $code}) {
    session { token expiresAt }
    customer { email firstName }
    userErrors { code field message }
  }
}
"""

DASHBOARD = """# The "My account" dashboard: profile, default address, cards, recent orders,
# open tickets. Needs the Authorization header (see the headers editor below).

query Dashboard {
  shop { name currencyCode settings { orderCancellationEnabled supportEnabled } }
  me {
    firstName lastName email phone language
    defaultShippingAddress { line1 city countryCode }
    paymentMethods { id brand last4 expiryMonth expiryYear isDefault }
    orders(first: 10) {
      pageInfo { hasNextPage endCursor }
      edges { node { id number placedAt status fulfillmentStatus canCancel
        summary { total { amount currencyCode } } } }
    }
    tickets(first: 10, status: OPEN) { edges { node { number subject status } } }
  }
}
"""

ORDER = """# One order by its id (take one from the Dashboard tab): lines, totals,
# the fulfilment timeline and the invoice link.

query Order($id: ID!) {
  node(id: $id) {
    ... on Order {
      number placedAt status canCancel
      lineItems { title variantTitle quantity totalPrice { amount currencyCode } }
      summary { subtotal { amount } shipping { amount } tax { amount }
        total { amount currencyCode } }
      timeline { status happenedAt message trackingUrl }
      invoice { number url }
    }
  }
}
"""

PROFILE = """# Change the profile; every field at fault is listed in userErrors.

mutation UpdateProfile($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    customer { firstName lastName phone language }
    userErrors { code field message }
  }
}

mutation Logout {
  logout(input: {allSessions: false}) { userErrors { code message } }
}
"""

TABS = [
    {
        "query": LOGIN,
        "variables": '{\n  "email": "ada@example.com",\n  "code": "from the log"\n}',
        "headers": "{}",
    },
    {"query": DASHBOARD, "headers": HEADERS_HINT},
    {"query": ORDER, "variables": '{\n  "id": "an order id"\n}', "headers": HEADERS_HINT},
    {
        "query": PROFILE,
        "variables": '{\n  "input": {"firstName": "Ada", "language": "en"}\n}',
        "headers": HEADERS_HINT,
    },
]


# The merchant surface's page: an API key, not a session, goes in the headers.
ADMIN_AUTHORIZATION_HINT = "Bearer PASTE-key-FROM-api-key-create"
ADMIN_LOOKUP = """# Send an API key made with `python -m app api-key create` in the headers
# below; docs/admin.md shows how a store ingests orders, products and more.

query Lookup($storeOrderId: String!, $email: String!) {
  order(storeOrderId: $storeOrderId) { id number status fulfillmentStatus total { amount } }
  customer(email: $email) { id email firstName }
}
"""
ADMIN_TABS = [
    {
        "query": ADMIN_LOOKUP,
        "variables": '{\n  "storeOrderId": "order-5001",\n  "email": "ada@example.com"\n}',
        "headers": orjson.dumps(
            {"Authorization": ADMIN_AUTHORIZATION_HINT}, option=orjson.OPT_INDENT_2
        ).decode(),
    }
]


def assets() -> StaticFiles:
    return StaticFiles(directory=ASSETS_DIR)


def page(endpoint: str, *, admin: bool = False) -> str:
    """The GraphiQL page for `endpoint`; its settings travel as inert JSON."""
    tabs, hint = (ADMIN_TABS, ADMIN_AUTHORIZATION_HINT) if admin else (TABS, AUTHORIZATION_HINT)
    config = orjson.dumps({"endpoint": endpoint, "tabs": tabs, "tokenPlaceholder": hint}).decode()
    # `</` cannot end the script element early once written as `<\/`.
    return _pages.get_template("graphiql.html").render(
        assets=ASSETS_PATH, config=config.replace("</", "<\\/")
    )
