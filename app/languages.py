"""The language a request is answered in."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from domain.i18n import DEFAULT_LANGUAGE, first_offered, negotiate
from domain.validation import SUPPORTED_LANGUAGES


def request_language(request: HTTPConnection, chosen: str | None = None) -> str:
    """The customer's chosen language when there is one, else the client's
    `Accept-Language` negotiated against the offered languages, else English."""
    if chosen:
        return first_offered(chosen)
    offered = negotiate(request.headers.get("accept-language"), SUPPORTED_LANGUAGES)
    return offered or DEFAULT_LANGUAGE
