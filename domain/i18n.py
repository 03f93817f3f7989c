"""Translations: the `_()` marker, the gettext catalogs and the languages they offer.

Customer-facing text is written in English in the code and marked with `_()`, which
`pybabel extract` collects into `domain/locales/messages.pot`. Each language has its
catalog, `domain/locales/<lang>/LC_MESSAGES/messages.po`, read as it is (no compiled
`.mo` to build or to go stale). A language is offered only when its catalog translates
every message of the template; a regional tag (`fr-CA`) uses its base language's catalog.

Services keep raising English messages: `_()` returns a `Message`, a `str` that
remembers its msgid and placeholders, so the GraphQL edge translates it into the
viewer's language while everything else (logs, the merchant side, tests) reads English.
"""

from __future__ import annotations

import io
import logging
import re
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

log = logging.getLogger("i18n")

LOCALES = Path(__file__).parent / "locales"
TEMPLATE = LOCALES / "messages.pot"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"
# Regional tags a customer may choose; each is offered when its base language is.
REGIONAL_VARIANTS = ("en-US", "en-GB", "en-CA", "fr-CA")


class Message(str):
    """English text (placeholders filled in) that keeps its msgid and placeholders."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Message:
        text = super().__new__(cls, msgid.format(**params) if params else msgid)
        text.msgid = msgid
        text.params = params
        return text


def _(msgid: str, **params: Any) -> Message:
    """Mark `msgid` for extraction; named `{placeholders}` are filled from `params`."""
    return Message(msgid, **params)


def base_language(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def _read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def template_ids(directory: Path = LOCALES) -> set[str]:
    """The msgids of the extracted template."""
    return {str(m.id) for m in _read(directory / f"{DOMAIN}.pot") if m.id}


def missing_messages(language: str, directory: Path = LOCALES) -> set[str]:
    """The template's msgids the language's catalog leaves untranslated (absent, empty
    or fuzzy); every msgid when there is no catalog."""
    expected = template_ids(directory)
    path = directory / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return expected
    done = {str(m.id) for m in _read(path) if m.id and m.string and not m.fuzzy}
    return expected - done


def complete_languages(directory: Path = LOCALES) -> tuple[str, ...]:
    """The languages whose catalog translates every message, sorted."""
    found = sorted(p.name for p in directory.iterdir() if (p / "LC_MESSAGES").is_dir())
    complete = []
    for language in found:
        missing = missing_messages(language, directory)
        if missing:
            log.warning("language %s not offered: %d messages untranslated", language, len(missing))
        else:
            complete.append(language)
    return tuple(complete)


def offered_languages(directory: Path = LOCALES) -> tuple[str, ...]:
    """What a customer may choose: every complete catalog and its regional variants."""
    complete = complete_languages(directory)
    # English first, each language followed by its regional variants.
    ordered = sorted(complete, key=lambda language: (language != DEFAULT_LANGUAGE, language))
    return tuple(
        tag
        for language in ordered
        for tag in (language, *(v for v in REGIONAL_VARIANTS if base_language(v) == language))
    )


@cache
def _offered() -> tuple[str, ...]:
    return offered_languages()


def first_offered(*preferences: str | None) -> str:
    """The first of `preferences` (a tag, or its base language) that is offered, else
    English: the customer's language, then the shop's."""
    offered = {tag.lower(): tag for tag in _offered()}
    for preferred in preferences:
        if not preferred:
            continue
        tag = preferred.replace("_", "-").lower()
        found = offered.get(tag) or offered.get(base_language(tag))
        if found:
            return found
    return DEFAULT_LANGUAGE


@cache
def translations(language: str) -> NullTranslations:
    """The catalog of `language`'s base language; English text when there is none."""
    path = LOCALES / base_language(language) / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return NullTranslations()
    buffer = io.BytesIO()
    # Fuzzy entries are left out: a guess is not a translation.
    write_mo(buffer, _read(path), use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def localize(text: str, language: str | None) -> str:
    """`text` in `language`: a `Message` by its msgid and placeholders, a plain string
    by itself as msgid; unchanged when the catalog does not know it."""
    if not language:
        return str(text)
    msgid = getattr(text, "msgid", text)
    params: dict[str, Any] = getattr(text, "params", {})
    translated = translations(language).gettext(msgid)
    return translated.format(**params) if params else translated


_ACCEPT_ITEM = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?"
)


def parse_accept_language(header: str | None) -> list[str]:
    """The tags of an `Accept-Language` header, most preferred first (q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")[:20]):
        match = _ACCEPT_ITEM.match(item)
        if match is None or match[1] == "*":
            continue
        try:
            quality = float(match[2]) if match[2] else 1.0
        except ValueError:
            continue
        if quality > 0:
            ranked.append((-quality, position, match[1].replace("_", "-")))
    return [tag for _q, _p, tag in sorted(ranked)]


def negotiate(header: str | None, offered: tuple[str, ...]) -> str | None:
    """The offered language the client prefers most (Babel's negotiation, which also
    lets `de-AT` find `de`), or None."""
    preferred = parse_accept_language(header)
    if not preferred:
        return None
    try:
        locale = Locale.negotiate(preferred, list(offered), sep="-")
    except (UnknownLocaleError, ValueError):
        return None
    if locale is None:
        return None
    wanted = {tag.lower(): tag for tag in offered}
    full = str(locale).replace("_", "-").lower()
    return wanted.get(full) or wanted.get(base_language(full))
