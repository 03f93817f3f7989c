"""Normalising what customers type: emails, phone numbers, languages, free text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from domain.errors import ErrorCode, ServiceError
from domain.i18n import _, offered_languages

# Countries whose numbers may receive login codes by SMS.
SMS_REGIONS = frozenset({"US", "CA"})

# Languages a customer may choose (BCP 47): those whose catalog is complete, and their
# regional variants. English is the fallback.
SUPPORTED_LANGUAGES = offered_languages()


# C0 control characters and DEL. Nobody types them; PostgreSQL refuses NUL in a text
# column (the whole statement fails), SQLite stores it, and the others corrupt what
# merchants see in e-mails, exports and admin screens.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The same, less tab and line breaks (\n, and the \r of Windows' \r\n), for text
# that may span lines.
_CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters(
    value: str, field: Sequence[str], *, allow_newlines: bool = False
) -> str:
    """`value` unchanged, or INVALID on `field` if it holds a control character.

    Line breaks and tabs pass only with `allow_newlines` (messages, reasons).
    """
    if allow_newlines:
        if _CONTROL_EXCEPT_LINES.search(value):
            message = _("Remove control characters; only line breaks and tabs are allowed.")
            raise ServiceError(ErrorCode.INVALID, message, field)
    elif _CONTROL.search(value):
        message = _("Use one line, without tabs, line breaks or other control characters.")
        raise ServiceError(ErrorCode.INVALID, message, field)
    return value


@dataclass(frozen=True)
class Phone:
    e164: str
    region: str | None

    @property
    def sms_capable(self) -> bool:
        return self.region in SMS_REGIONS


def normalize_email(value: str, *, field: str = "email") -> str:
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ServiceError(ErrorCode.INVALID, _("Enter a valid email address."), [field]) from None
    return result.normalized.lower()


def parse_phone(value: str, *, field: str = "phone", default_region: str = "US") -> Phone:
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        raise ServiceError(ErrorCode.INVALID, _("Enter a valid phone number."), [field]) from None
    if not phonenumbers.is_valid_number(number):
        raise ServiceError(ErrorCode.INVALID, _("Enter a valid phone number."), [field])
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164=e164, region=phonenumbers.region_code_for_number(number))


def normalize_language(value: str, *, field: str = "language") -> str:
    by_lower = {tag.lower(): tag for tag in SUPPORTED_LANGUAGES}
    tag = by_lower.get(value.strip().replace("_", "-").lower())
    if tag is None:
        raise ServiceError(
            ErrorCode.INVALID,
            _("Language must be one of {languages}.", languages=", ".join(SUPPORTED_LANGUAGES)),
            [field],
        )
    return tag
