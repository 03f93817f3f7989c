"""Opaque global IDs ("Type:pk", base64url), as every `Node` carries."""

from __future__ import annotations

import base64
import binascii

import strawberry

from domain.ids import global_id

# Primary keys are 32-bit INTEGER columns.
MAX_PK = 2**31 - 1


def to_global_id(type_name: str, pk: int | str) -> strawberry.ID:
    return strawberry.ID(global_id(type_name, pk))


def from_global_id(value: str) -> tuple[str, int] | None:
    """(type name, integer pk), or None for anything malformed."""
    if not value or len(value) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, _, pk = raw.partition(":")
    # ASCII digits only: "²".isdigit() is true, but int() refuses it. Anything
    # above MAX_PK names no row, and PostgreSQL would refuse it as a parameter
    # rather than find nothing.
    if not type_name or not (pk.isascii() and pk.isdigit()) or len(pk) > 10:
        return None
    if int(pk) > MAX_PK:
        return None
    return type_name, int(pk)


def decode_id(value: str, expected: str) -> int | None:
    """The pk of a global ID of the expected type, or None."""
    parsed = from_global_id(value)
    if parsed is None or parsed[0] != expected:
        return None
    return parsed[1]


def decode_optional_id(value: str | None, expected: str) -> int | None:
    """None when not given; a malformed or foreign-type ID becomes 0, which no row
    has, so it answers NOT_FOUND exactly like a missing one."""
    if value is None:
        return None
    return decode_id(value, expected) or 0
