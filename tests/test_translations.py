"""The catalogs: complete for every language offered, current with the sources, and
a language whose catalog is missing or incomplete is not offered."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from adapters.mail import render_email
from domain.i18n import (
    LOCALES,
    _,
    complete_languages,
    localize,
    missing_messages,
    negotiate,
    offered_languages,
    template_ids,
)
from domain.validation import SUPPORTED_LANGUAGES
from services.notification_messages import format_day

ROOT = Path(__file__).resolve().parent.parent
# The packages `make messages` extracts from (MESSAGE_SOURCES in the Makefile).
SOURCES = ("app", "adapters", "auth", "domain", "plumbing", "services", "schema", "resolvers")
CATALOGS = sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES").is_dir())


def extracted_ids() -> set[str]:
    with (ROOT / "babel.cfg").open() as file:
        method_map, options_map = parse_mapping_cfg(file)
    ids: set[str] = set()
    for source in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / source, method_map, options_map
        ):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_the_template_is_current_with_the_sources() -> None:
    assert extracted_ids() == template_ids(), "run `make messages` and translate what is new"


def test_the_four_catalogs_exist() -> None:
    assert set(CATALOGS) >= {"en", "fr", "es", "de"}


@pytest.mark.parametrize("language", CATALOGS)
def test_every_catalog_translates_every_message(language: str) -> None:
    # Absent, empty and fuzzy entries all count as missing.
    assert missing_messages(language) == set()


@pytest.mark.parametrize("language", CATALOGS)
def test_translations_keep_their_placeholders(language: str) -> None:
    params = {name: "x" for name in ("count", "limit", "min", "max", "days", "last", "listed")}
    params |= {"languages": "x", "most": 2, "amount": "x", "code": "1", "shop_name": "S"}
    params |= {"day": "d", "link": "l"}
    for msgid in template_ids():
        if "{" in msgid:
            used = {k: v for k, v in params.items() if "{" + k + "}" in msgid}
            # A placeholder the translation lost or invented raises here.
            localize(_(msgid, **used), language)


def copy_locales(tmp_path: Path) -> Path:
    target = tmp_path / "locales"
    shutil.copytree(LOCALES, target)
    return target


def test_a_language_without_a_catalog_is_not_offered(tmp_path: Path) -> None:
    locales = copy_locales(tmp_path)
    shutil.rmtree(locales / "de")

    assert "de" not in offered_languages(locales)
    assert "fr-CA" in offered_languages(locales)


def test_an_incomplete_catalog_is_not_offered_nor_its_variants(tmp_path: Path) -> None:
    locales = copy_locales(tmp_path)
    po = locales / "fr" / "LC_MESSAGES" / "messages.po"
    text = po.read_text()
    po.write_text(text.replace('msgstr "Choisissez une langue."', 'msgstr ""'))

    assert complete_languages(locales) == ("de", "en", "es")
    assert not {"fr", "fr-CA"} & set(offered_languages(locales))


def test_a_fuzzy_translation_is_missing(tmp_path: Path) -> None:
    locales = copy_locales(tmp_path)
    po = locales / "es" / "LC_MESSAGES" / "messages.po"
    text = po.read_text()
    po.write_text(
        text.replace('msgid "Choose a language."', '#, fuzzy\nmsgid "Choose a language."')
    )

    assert missing_messages("es", locales) == {"Choose a language."}


def test_the_offered_languages_are_the_complete_catalogs_and_their_variants() -> None:
    assert SUPPORTED_LANGUAGES == ("en", "en-US", "en-GB", "en-CA", "de", "es", "fr", "fr-CA")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de", "de"),
        ("de-AT,de;q=0.9,en;q=0.5", "de"),
        ("it, es;q=0.8, fr;q=0.9", "fr"),
        ("fr-CA", "fr-CA"),
        ("en;q=0.1, es", "es"),
        ("it, pt", None),
        ("", None),
        ("de;q=0", None),
    ],
)
def test_accept_language_is_negotiated_against_the_offered_languages(
    header: str, expected: str | None
) -> None:
    assert negotiate(header, SUPPORTED_LANGUAGES) == expected


TEMPLATES = sorted(
    p.name.removesuffix(".subject.txt")
    for p in (ROOT / "adapters" / "templates" / "email").glob("*.subject.txt")
)


@pytest.mark.parametrize("language", CATALOGS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_a_shop_name_ending_in_a_full_stop_gets_no_second_one(template: str, language: str) -> None:
    context = {
        "shop_name": "Acme Co.",
        "first_name": "Ada",
        "code": "123456",
        "magic_link": "https://example.com/link",
        "ttl_minutes": 10,
        "link_hours": 24,
        "new_email": "new@example.com",
        "masked_email": "n***@example.com",
        "order_number": "#1001",
        "total": "12.00 USD",
        "next_order_date": "1 May 2027",
        "retry_on": "2 May 2027",
        "past_due": False,
        "ticket_number": "T-1",
        "ticket_subject": "Beans",
        "reply": "Hello",
    }
    subject, text, html = render_email(template, language, **context)
    for part in (subject, text, html):
        assert "Co.." not in part


@pytest.mark.parametrize("language", CATALOGS)
def test_the_login_sms_and_notification_texts_end_well_after_the_shop_name(language: str) -> None:
    for msgid in template_ids():
        if "{shop_name}" in msgid:
            values = {"shop_name": "Acme Co.", "code": "1", "day": "d", "link": "l"}
            used = {k: v for k, v in values.items() if "{" + k + "}" in msgid}
            assert "Co.." not in localize(_(msgid, **used), language)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "November 24, 2026"),
        ("fr", "24 novembre 2026"),
        ("fr-CA", "24 novembre 2026"),
        ("es", "24 de noviembre de 2026"),
        ("de", "24. November 2026"),
    ],
)
def test_dates_are_written_by_babel(language: str, expected: str) -> None:
    assert format_day(date(2026, 11, 24), language) == expected
