"""Secrets handed to customers, and the keyed hashes we keep instead of them."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def keyed_hash(key: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value`, domain-separated by `purpose`, as hex."""
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def matches(expected_hash: str, candidate_hash: str) -> bool:
    return hmac.compare_digest(expected_hash, candidate_hash)


def new_code(length: int) -> str:
    """A numeric one-time code from the OS's CSPRNG."""
    return "".join(secrets.choice("0123456789") for _ in range(length))


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)
