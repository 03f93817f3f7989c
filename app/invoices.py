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

from domain.validation import language_chain
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


# The page's own words; amounts and dates are localised by Babel for every locale.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "invoice": "Invoice",
        "invoice_number": "Invoice number",
        "issued": "Issued",
        "order": "Order",
        "email": "Email",
        "paid_with": "Paid with",
        "cancelled": "Cancelled",
        "billing_address": "Billing address",
        "shipping_address": "Shipping address",
        "item": "Item",
        "quantity": "Quantity",
        "unit_price": "Unit price",
        "line_total": "Total",
        "subtotal": "Subtotal",
        "discount": "Discount",
        "shipping": "Shipping",
        "tax": "Tax",
        "total": "Total",
        "print": "Print",
    },
    "fr": {
        "invoice": "Facture",
        "invoice_number": "Numéro de facture",
        "issued": "Date d'émission",
        "order": "Commande",
        "email": "Courriel",
        "paid_with": "Payé avec",
        "cancelled": "Annulée",
        "billing_address": "Adresse de facturation",
        "shipping_address": "Adresse de livraison",
        "item": "Article",
        "quantity": "Quantité",
        "unit_price": "Prix unitaire",
        "line_total": "Total",
        "subtotal": "Sous-total",
        "discount": "Rabais",
        "shipping": "Livraison",
        "tax": "Taxes",
        "total": "Total",
        "print": "Imprimer",
    },
}


def _labels(language: str) -> dict[str, str]:
    for tag in language_chain(language):
        if tag in LABELS:
            return LABELS[tag]
    return LABELS["en"]


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
    locale = _locale(view.language)
    order = view.order
    currency = order.currency_code

    def money(amount: Decimal) -> str:
        return format_currency(amount, currency, locale=locale)

    def date(value: datetime) -> str:
        # Dates are shown as the shop's calendar has them.
        return format_date(value.astimezone(_zone(view.time_zone)).date(), "long", locale=locale)

    context: dict[str, Any] = {
        "lang": str(locale).replace("_", "-"),
        "t": _labels(view.language),
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
