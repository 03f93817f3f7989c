"""The printable invoice page behind `Invoice.url`.

The signed token in the path is the only credential: it names one order and
expires. Anything wrong with it (tampered, expired, unknown order) gets the same
404, so the page reveals nothing about which orders exist.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain.i18n import _, first_offered, localize
from plumbing.runtime import Runtime
from services.invoices import InvoiceView, load_invoice, verify_invoice_token

_templates = Environment(
    loader=PackageLoader("app", "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
)

# An invoice holds addresses and what someone bought: never cache it, never index it.
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
}

_NOT_FOUND = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>Invoice not available</title></head>
<body><h1>Invoice not available</h1>
<p>This invoice link is invalid or has expired. Open the order in your account for a new one.</p>
</body></html>"""


# The page's own words, translated from the catalogs; amounts and dates are localised
# by Babel for every locale.
LABELS: dict[str, str] = {
    "invoice": _("Invoice"),
    "invoice_number": _("Invoice number"),
    "issued": _("Issued"),
    "order": _("Order"),
    "email": _("Email"),
    "paid_with": _("Paid with"),
    "cancelled": _("Cancelled"),
    "billing_address": _("Billing address"),
    "shipping_address": _("Shipping address"),
    "item": _("Item"),
    "quantity": _("Quantity"),
    "unit_price": _("Unit price"),
    "line_total": _("Total"),
    "subtotal": _("Subtotal"),
    "discount": _("Discount"),
    "shipping": _("Shipping"),
    "tax": _("Tax"),
    "total": _("Total"),
    "print": _("Print"),
}


def _labels(language: str) -> dict[str, str]:
    return {key: localize(text, language) for key, text in LABELS.items()}


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def render_invoice(view: InvoiceView) -> str:
    # The customer's language when it is offered, else English.
    language = first_offered(view.language)
    locale = _locale(language)
    order = view.order
    currency = order.currency_code

    def money(amount: Decimal) -> str:
        return format_currency(amount, currency, locale=locale)

    def date(value: datetime) -> str:
        # Dates are shown as the shop's calendar has them.
        return format_date(value.astimezone(_zone(view.time_zone)).date(), "long", locale=locale)

    context: dict[str, Any] = {
        "lang": str(locale).replace("_", "-"),
        "t": _labels(language),
        "shop_name": view.shop_name,
        "order": order,
        "lines": view.lines,
        "discounts": view.discounts,
        "shipping_address": view.shipping_address,
        "billing_address": view.billing_address,
        "money": money,
        "date": date,
    }
    return _templates.get_template("invoice.html").render(**context)


async def invoice_page(request: Request) -> Response:
    rt: Runtime = request.app.state.runtime
    order_id = verify_invoice_token(rt, request.path_params.get("token", ""))
    view = None if order_id is None else await load_invoice(rt, order_id=order_id)
    if view is None:
        return HTMLResponse(_NOT_FOUND, status_code=404, headers=_HEADERS)
    return HTMLResponse(render_invoice(view), headers=_HEADERS)
