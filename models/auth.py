"""Login challenges, magic links, sessions and throttles.

Secrets (codes, link tokens, session tokens) are never stored: only keyed
hashes of them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.statuses import ChallengePurpose
from models.base import EnumText, UTCDateTime, utcnow


class LoginChallenge(SQLModel, table=True):
    """The one live code for a purpose and identifier; a new request replaces it."""

    __tablename__ = "login_challenge"
    # expires_at: for the purge of dead codes.
    __table_args__ = (
        UniqueConstraint("purpose", "identifier"),
        Index("ix_login_challenge_expires_at", "expires_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    purpose: ChallengePurpose = Field(
        sa_column=Column(EnumText(ChallengePurpose, 20), nullable=False)
    )
    # Normalised email or E.164 phone the code was sent for.
    identifier: str = Field(max_length=320)
    customer_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("customer.id", ondelete="CASCADE"), nullable=True),
    )
    # The new address for an email change.
    payload: str | None = Field(default=None, max_length=320)
    code_hash: str = Field(max_length=64)
    attempts: int = 0
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    consumed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class MagicLink(SQLModel, table=True):
    __tablename__ = "magic_link"
    __table_args__ = (Index("ix_magic_link_expires_at", "expires_at"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    email: str = Field(max_length=320, index=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    consumed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class CustomerSession(SQLModel, table=True):
    __tablename__ = "customer_session"
    __table_args__ = (Index("ix_customer_session_expires_at", "expires_at"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    customer_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("customer.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    user_agent: str | None = Field(default=None, max_length=300)
    ip_address: str | None = Field(default=None, max_length=64)


class Throttle(SQLModel, table=True):
    """A sliding-window log for one key (`login-code:<address>`, `login-ip:<ip>`…),
    shared by every API process through the database: the times of its most
    recent admitted events, at most as many as its limit."""

    __tablename__ = "throttle"
    __table_args__ = (Index("ix_throttle_expires_at", "expires_at"),)

    key: str = Field(max_length=400, primary_key=True)
    # Epoch milliseconds, 13 digits each, oldest first, no separator.
    hits: str = Field(sa_column=Column(Text, nullable=False))
    # Events refused since the last admitted one.
    refused: int = 0
    # When the newest admitted event leaves the window: the row means nothing after.
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
