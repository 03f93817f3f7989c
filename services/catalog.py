"""Catalogue search: the active products a customer can pick from."""

from __future__ import annotations

from sqlmodel import col

from domain.errors import ErrorCode, ServiceError
from domain.validation import refuse_control_characters
from models.base import select_rows
from models.catalog import Product
from plumbing.pagination import Page, SortKey, keyset_page
from plumbing.runtime import Runtime

# Long enough for any product title; stops a client from sending a page of text to LIKE.
MAX_QUERY_LENGTH = 100


def _like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards taken literally, so "100%" finds "100% Arabica"."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_products(
    rt: Runtime, *, query: str | None, first: int | None, after: str | None
) -> Page[Product]:
    """Active products by title (case-insensitive substring), ordered by title then id.

    Raises `ServiceError` for an over-long query or one holding control characters,
    and `InvalidCursor` for a bad cursor.
    """
    stmt = select_rows(Product).where(col(Product.active).is_(True))
    text = refuse_control_characters((query or "").strip(), ["query"])
    if len(text) > MAX_QUERY_LENGTH:
        raise ServiceError(
            ErrorCode.INVALID, f"Search at most {MAX_QUERY_LENGTH} characters.", ["query"]
        )
    if text:
        stmt = stmt.where(col(Product.title).ilike(_like_pattern(text), escape="\\"))
    async with rt.db.read() as session:
        return await keyset_page(
            session,
            stmt,
            keys=[SortKey(col(Product.title)), SortKey(col(Product.id))],
            row_key=lambda row: (row.title, row.id),
            first=first,
            after=after,
        )
