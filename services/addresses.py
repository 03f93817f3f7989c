"""The address book: validating postal addresses, and the rules for defaults.

Shipping and billing defaults are independent. The database allows at most one
of each per customer (partial unique indexes); every write that moves a default
first locks the customer's row, so concurrent edits of one book queue up instead
of tripping over the index, and the book's size cap holds under concurrency.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pycountry
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.errors import ErrorCode, FieldErrors, ServiceError
from domain.i18n import _
from domain.statuses import AddressKind
from domain.validation import parse_phone, refuse_control_characters
from models.address import ADDRESS_FIELDS, Address
from models.base import select_rows
from models.customer import Customer
from plumbing.pagination import Page, SortKey, keyset_page
from plumbing.runtime import Runtime

MAX_ADDRESSES = 50

# Longest accepted value per field: the column sizes of models.address.Address.
MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "company": 200,
    "line1": 200,
    "line2": 200,
    "city": 100,
    "province": 100,
    "postal_code": 20,
    "country_code": 2,
    "phone": 40,
}

# Countries and territories without a postal code system, from the Universal
# Postal Union's addressing guides (a postal code is then optional, not refused).
# Ireland is not here: Eircodes are used for every delivery address.
# fmt: off
NO_POSTAL_CODE = frozenset({
    "AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF", "CG", "CI",
    "CK", "CM", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "JM", "KI",
    "KM", "KN", "KP", "LC", "ML", "MO", "MR", "MW", "NA", "NR", "NU", "QA", "RW", "SB", "SC",
    "SL", "SR", "ST", "SY", "TD", "TG", "TK", "TL", "TO", "TT", "TV", "UG", "VU", "YE", "ZW",
})
# fmt: on

# [0-9], not \d: \d also matches other scripts' digits ("١٢٣٤٥"), which no carrier reads.
_US_ZIP = re.compile(r"([0-9]{5})-?([0-9]{4})?")
# Canada Post never uses D F I O Q U, nor W Z in first position.
_CA_POSTAL = re.compile(
    r"([ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z]) ?([0-9][ABCEGHJ-NPRSTV-Z][0-9])"
)
# Matched before upper-casing: "ß" and the long s have ASCII capitals ("SS", "S").
_COUNTRY = re.compile(r"[A-Za-z]{2}")

# Which flag of an address row marks each kind of default.
KINDS = {AddressKind.SHIPPING: "is_default_shipping", AddressKind.BILLING: "is_default_billing"}


def is_default(row: Address, kind: AddressKind) -> bool:
    return bool(getattr(row, KINDS[kind]))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _postal_code(value: str | None, country: str, field: list[str]) -> str | None:
    if value is None:
        if country in NO_POSTAL_CODE:
            return None
        raise ServiceError(ErrorCode.INVALID, _("Enter a postal code."), field)
    if country == "US":
        if not (match := _US_ZIP.fullmatch(value)):
            raise ServiceError(
                ErrorCode.INVALID, _("Enter a ZIP code like 12345 or 12345-6789."), field
            )
        return match[1] + (f"-{match[2]}" if match[2] else "")
    if country == "CA":
        if not (match := _CA_POSTAL.fullmatch(value)):
            raise ServiceError(ErrorCode.INVALID, _("Enter a postal code like A1A 1A1."), field)
        return f"{match[1]} {match[2]}"
    return value


def clean_address(
    raw: Mapping[str, str | None], *, path: Sequence[str] = ("address",)
) -> dict[str, str | None]:
    """Validated, normalised ADDRESS_FIELDS values; raises INVALID naming every
    field at fault (a `ServiceErrors` when there are several).

    `path` prefixes the field path in errors, so other inputs embedding an
    address (a card's billing address...) report their own paths.
    """

    def field(name: str) -> list[str]:
        return [*path, _camel(name)]

    errors = FieldErrors()
    values: dict[str, str | None] = {}
    for name in ADDRESS_FIELDS:
        values[name] = None
        with errors.check():
            value = raw.get(name)
            if value is not None:
                value = refuse_control_characters(value.strip(), field(name)) or None
            if value is not None and name == "postal_code":
                # Before the length check: upper-casing can lengthen text ("ß" -> "SS").
                value = value.upper()
            if value is not None and len(value) > MAX_LENGTHS[name]:
                raise ServiceError(
                    ErrorCode.INVALID,
                    _("Must be at most {limit} characters.", limit=MAX_LENGTHS[name]),
                    field(name),
                )
            values[name] = value

    if values["line1"] is None and not errors.failed(field("line1")):
        errors.add(ErrorCode.INVALID, _("Enter a street address."), field("line1"))
    if values["city"] is None and not errors.failed(field("city")):
        errors.add(ErrorCode.INVALID, _("Enter a city."), field("city"))
    typed_country = values["country_code"] or ""
    country = typed_country.upper()
    if not _COUNTRY.fullmatch(typed_country) or pycountry.countries.get(alpha_2=country) is None:
        if not errors.failed(field("country_code")):
            errors.add(
                ErrorCode.INVALID,
                _("Enter a two-letter ISO country code, e.g. US."),
                field("country_code"),
            )
        # Postal code and phone rules depend on the country: checked once it is known.
        errors.raise_any()
    values["country_code"] = country
    if not errors.failed(field("postal_code")):
        with errors.check():
            values["postal_code"] = _postal_code(
                values["postal_code"], country, field("postal_code")
            )
    if values["phone"] is not None:
        try:
            values["phone"] = parse_phone(values["phone"], default_region=country).e164
        except ServiceError as error:
            errors.add(error.code, error.message, field("phone"))
    errors.raise_any()
    return values


@dataclass(frozen=True)
class AddressChange:
    address: Address
    # The owner as locked by the write, for payloads that return the customer.
    customer: Customer


def not_found() -> ServiceError:
    """The one answer for a missing, malformed or someone else's address ID."""
    return ServiceError(ErrorCode.NOT_FOUND, _("Address not found."), ["id"])


async def _lock_customer(session: AsyncSession, customer_id: int) -> Customer:
    # FOR UPDATE serialises writers of one address book on PostgreSQL; SQLite
    # writers are already serialised by BEGIN IMMEDIATE (and ignore the clause).
    customer = await session.scalar(
        select(Customer).where(col(Customer.id) == customer_id).with_for_update()
    )
    if customer is None:
        raise not_found()
    return customer


async def _owned(session: AsyncSession, customer_id: int, address_id: int | None) -> Address:
    if address_id is not None:
        row = await session.scalar(
            select(Address).where(
                col(Address.id) == address_id, col(Address.customer_id) == customer_id
            )
        )
        if row is not None:
            return row
    raise not_found()


async def _clear_default(session: AsyncSession, customer_id: int, kind: AddressKind) -> None:
    flag = KINDS[kind]
    await session.execute(
        update(Address)
        .where(col(Address.customer_id) == customer_id, getattr(Address, flag).is_(True))
        .values({flag: False})
    )


async def create_address(
    rt: Runtime,
    *,
    customer_id: int,
    fields: Mapping[str, str | None],
    default_shipping: bool | None = None,
    default_billing: bool | None = None,
) -> AddressChange:
    """Add an address; None for a default means "only if this is the first address"."""
    values: dict[str, Any] = clean_address(fields)
    async with rt.db.transaction() as session:
        customer = await _lock_customer(session, customer_id)
        count = await session.scalar(
            select(func.count()).select_from(Address).where(col(Address.customer_id) == customer_id)
        )
        if (count or 0) >= MAX_ADDRESSES:
            raise ServiceError(
                ErrorCode.INVALID,
                _(
                    "The address book holds at most {count} addresses; delete one first.",
                    count=MAX_ADDRESSES,
                ),
            )
        first = not count
        shipping = first if default_shipping is None else default_shipping
        billing = first if default_billing is None else default_billing
        for kind, wanted in ((AddressKind.SHIPPING, shipping), (AddressKind.BILLING, billing)):
            if wanted:
                await _clear_default(session, customer_id, kind)
        now = rt.clock.now()
        row = Address(
            customer_id=customer_id,
            **values,
            is_default_shipping=shipping,
            is_default_billing=billing,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
    return AddressChange(address=row, customer=customer)


async def update_address(
    rt: Runtime, *, customer_id: int, address_id: int | None, fields: Mapping[str, str | None]
) -> Address:
    """Replace every field of an address; its default flags stay as they are."""
    values = clean_address(fields)
    async with rt.db.transaction() as session:
        row = await _owned(session, customer_id, address_id)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = rt.clock.now()
        await session.flush()
    return row


async def delete_address(rt: Runtime, *, customer_id: int, address_id: int | None) -> Customer:
    """Remove an address. A deleted default leaves that default empty: picking
    another one silently could ship to an address the customer did not choose."""
    async with rt.db.transaction() as session:
        customer = await _lock_customer(session, customer_id)
        row = await _owned(session, customer_id, address_id)
        await session.delete(row)
        await session.flush()
    return customer


async def set_default_address(
    rt: Runtime, *, customer_id: int, address_id: int | None, kind: AddressKind
) -> AddressChange:
    """Make an address the default of `kind`, replacing the old one."""
    flag = KINDS[kind]
    async with rt.db.transaction() as session:
        customer = await _lock_customer(session, customer_id)
        row = await _owned(session, customer_id, address_id)
        if not getattr(row, flag):
            # Clear first: the partial unique index is checked row by row.
            await _clear_default(session, customer_id, kind)
            setattr(row, flag, True)
            await session.flush()
    return AddressChange(address=row, customer=customer)


async def list_addresses(
    rt: Runtime, *, customer_id: int, first: int | None = None, after: str | None = None
) -> Page[Address]:
    """One page of the book, oldest first; raises InvalidCursor for a bad cursor."""
    async with rt.db.read() as session:
        return await keyset_page(
            session,
            select_rows(Address).where(col(Address.customer_id) == customer_id),
            keys=[SortKey(col(Address.id))],
            row_key=lambda row: [row.id],
            first=first,
            after=after,
        )
