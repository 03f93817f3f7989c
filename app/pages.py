"""Plain HTTP routes: health checks and the sign-in link page."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from app.graphql import client_ip
from app.languages import request_language
from app.resilience import RETRY_AFTER_SECONDS
from auth import login
from domain.errors import ServiceError
from domain.i18n import _, localize, translations
from models.availability import DatabaseUnavailable
from plumbing.runtime import Runtime

log = logging.getLogger("pages")
_pages = Environment(
    loader=PackageLoader("app", "templates"),
    autoescape=select_autoescape(),
    extensions=["jinja2.ext.i18n"],
)
_pages.policies["ext.i18n.trimmed"] = True


def _render(request: Request, *, token: str | None, error: str | None) -> str:
    """The sign-in page in the visitor's language (`Accept-Language`)."""
    language = request_language(request)
    words = translations(language)
    return _pages.get_template("magic_link.html").render(
        token=token,
        error=localize(error, language) if error else None,
        lang=language,
        gettext=words.gettext,
        ngettext=words.ngettext,
    )


def _runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def healthz(request: Request) -> Response:
    """The process is up."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """The database answers."""
    try:
        await _runtime(request).db.ping()
    except DatabaseUnavailable:
        # The outage is logged once where it is met; a probe every second
        # must not add a traceback each.
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable"},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
        )
    return JSONResponse({"status": "ok", "database": "ok"})


# same-origin, not no-referrer: under no-referrer browsers send `Origin: null`
# even with the page's own form, and the POST's origin check needs the real one.
# The token in this page's URL still never leaves for another site.
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}


def _from_another_site(request: Request, public_url: str) -> bool:
    """A browser form posted from a page that is not ours (login CSRF).

    Browsers send Origin with every POST; a client that sends none is not a
    browser carrying someone's cookies, so it is let through.
    """
    origin = request.headers.get("origin")
    if origin is None:
        return False
    ours = urlsplit(public_url)
    return origin.rstrip("/") != f"{ours.scheme}://{ours.netloc}"


async def magic_link(request: Request) -> Response:
    """GET shows a button; only the POST it submits consumes the token.

    Mail scanners fetch links to check them; a GET that signed in would burn
    the customer's link before they ever clicked it.
    """
    if request.method == "GET":
        token = request.query_params.get("token", "")
        return HTMLResponse(_render(request, token=token, error=None), headers=_NO_STORE)
    rt = _runtime(request)
    # Another site could post its owner's link and sign the visitor into that
    # account, where they would then save their own cards and addresses.
    if _from_another_site(request, rt.settings.public_url):
        error = _("This sign-in link must be opened from your email.")
        return HTMLResponse(
            _render(request, token=None, error=error), status_code=403, headers=_NO_STORE
        )
    # A urlencoded form of one field: the standard library parses it.
    body = (await request.body())[:4096].decode("utf-8", "replace")
    token = parse_qs(body).get("token", [""])[0]
    try:
        issued = await login.redeem_magic_link(
            rt,
            token=token,
            user_agent=request.headers.get("user-agent"),
            ip=client_ip(request, trust_proxy=rt.settings.trust_proxy_headers),
        )
    except ServiceError as error:
        return HTMLResponse(
            _render(request, token=None, error=error.message), status_code=400, headers=_NO_STORE
        )
    # The token travels in the fragment, which browsers never send to a server.
    fragment = urlencode(
        {"session_token": issued.token, "expires_at": issued.expires_at.isoformat()}
    )
    return RedirectResponse(
        f"{rt.settings.storefront_url}/account/authenticate#{fragment}",
        status_code=303,
        headers=_NO_STORE,
    )
