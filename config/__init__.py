"""Configuration from the environment.

Every setting is documented in README.md. A bad value stops start-up with one
line that names the variable (see `load_settings`).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Where `make example` serves examples/storefront; allowed by default in development.
EXAMPLE_STOREFRONT_ORIGIN = "http://127.0.0.1:3000"


class ConfigError(Exception):
    """A setting is missing or invalid; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    app_env: Literal["development", "production", "test"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    var_dir: Path = Path("var")
    database_url: str = ""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    email_backend: Literal["console", "smtp"] = "console"
    smtp_url: str | None = None
    # Without a display name, emails are sent in the shop's name (the `shop` row).
    email_from: str = "no-reply@example.com"
    sms_backend: Literal["console", "http", "none"] = "console"
    sms_url: str | None = None
    # The sending number (E.164) or sender id the provider knows.
    sms_from: str | None = None

    login_code_length: int = Field(default=6, ge=4, le=8)
    login_code_ttl: int = Field(default=600, ge=60, le=86_400)
    login_max_attempts: int = Field(default=5, ge=1, le=20)
    login_codes_per_window: int = Field(default=3, ge=1)
    login_code_window: int = Field(default=600, ge=60)
    login_failures_per_day: int = Field(default=100, ge=1)
    login_requests_per_ip: int = Field(default=30, ge=1)
    login_ip_window: int = Field(default=600, ge=60)
    magic_link_ttl: int = Field(default=86_400, ge=300)
    session_ttl: int = Field(default=30 * 86_400, ge=600)
    invoice_link_ttl: int = Field(default=3_600, ge=60)
    # How long an Idempotency-Key replays its first result before `purge` drops it.
    idempotency_key_ttl: int = Field(default=86_400, ge=3_600)

    # Empty means http://HOST:PORT, right for the demo; set it in production.
    public_url: str = ""
    storefront_url: str = "http://127.0.0.1:3000"
    checkout_url_template: str = "{storefront_url}/cart/{cart_id}"
    # Browser origins that may call the API, comma-separated; unset means the
    # storefront's and the example's in development, none in production.
    cors_origins: str | None = None
    secret_key: SecretStr | None = None
    trust_proxy_headers: bool = False

    graphiql: bool | None = None
    introspection: bool | None = None
    max_query_depth: int = Field(default=12, ge=2)
    max_query_aliases: int = Field(default=30, ge=1)
    max_query_tokens: int = Field(default=2_000, ge=100)
    max_query_cost: int = Field(default=5_000, ge=10)
    # Fields selected once fragments are expanded (a fragment spread twice counts twice).
    max_query_fields: int = Field(default=1_000, ge=10)
    # Selections answering to one name in one selection set (validation compares them in pairs).
    max_query_repeats: int = Field(default=20, ge=2)
    max_body_bytes: int = Field(default=100_000, ge=1_000)
    # Known query documents answered from a plan compiled once (schema.common.plans).
    compiled_plans: bool = True

    # Seconds each wait on the database may last, so an unreachable or silent
    # database costs a request a prompt 503 instead of a hang.
    database_connect_timeout: float = Field(default=2.0, gt=0, le=60)
    database_pool_timeout: float = Field(default=2.0, gt=0, le=60)
    # PostgreSQL's statement_timeout, set on every connection.
    database_statement_timeout: float = Field(default=3.0, gt=0, le=600)
    # The whole request; past it the client gets a 503 and the work is cancelled.
    request_timeout: float = Field(default=10.0, gt=0, le=600)
    # Seconds one email or SMS delivery may take in all before it is given up
    # (and logged); deliveries run after the reply, so these never delay one.
    smtp_timeout: float = Field(default=10, gt=0, le=300)
    sms_timeout: float = Field(default=10, gt=0, le=300)
    # Deliveries in flight at once per process; more wait for a free slot.
    delivery_concurrency: int = Field(default=20, ge=1, le=1_000)

    # The renewal worker: seconds between passes, subscriptions claimed per transaction,
    # the default retry days after a declined renewal, and how old (seconds) the oldest
    # due item may grow before `worker --check` fails.
    worker_poll_interval: float = Field(default=30.0, gt=0, le=3_600)
    worker_batch_size: int = Field(default=50, ge=1, le=1_000)
    dunning_schedule: str = "1,3,7"
    worker_max_lag: int = Field(default=3_600, ge=60)
    upcoming_order_notice_days: int = Field(default=3, ge=1, le=60)
    # Seconds a worker holds a notification it is sending; longer than an email and an
    # SMS may take (SMTP_TIMEOUT + SMS_TIMEOUT), or a slow send would be sent twice.
    notification_lease: int = Field(default=300, ge=30, le=86_400)
    # Webhooks: seconds one POST may take in all; seconds a worker holds a delivery it is
    # sending (longer than the POST); the first retry's delay in seconds, doubled each time
    # up to WEBHOOK_RETRY_MAX (with jitter); tries before a delivery is given up; and how
    # long (seconds) an endpoint may keep failing before it is disabled.
    webhook_timeout: float = Field(default=10.0, gt=0, le=60)
    webhook_lease: int = Field(default=120, ge=10, le=3_600)
    webhook_retry_base: float = Field(default=30.0, gt=0, le=3_600)
    webhook_retry_max: float = Field(default=6 * 3_600, gt=0, le=86_400)
    webhook_max_attempts: int = Field(default=20, ge=1, le=100)
    webhook_disable_after: int = Field(default=5 * 86_400, ge=60)

    @field_validator("dunning_schedule")
    @classmethod
    def _dunning_days(cls, value: str) -> str:
        parse_dunning_schedule(value)
        return value

    @field_validator("public_url", "storefront_url")
    @classmethod
    def _absolute_http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an absolute http(s) URL")
        return value.rstrip("/")

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: str | None) -> str | None:
        if value is not None:
            parse_origins(value)
        return value

    @model_validator(mode="after")
    def _cross_checks(self) -> Settings:
        if self.notification_lease <= self.smtp_timeout + self.sms_timeout:
            raise ValueError("NOTIFICATION_LEASE must exceed SMTP_TIMEOUT + SMS_TIMEOUT")
        if self.webhook_lease <= self.webhook_timeout:
            raise ValueError("WEBHOOK_LEASE must exceed WEBHOOK_TIMEOUT")
        if self.email_backend == "smtp" and not self.smtp_url:
            raise ValueError("SMTP_URL is required when EMAIL_BACKEND=smtp")
        if self.smtp_url and not self.smtp_url.startswith(("smtp://", "smtps://")):
            raise ValueError("SMTP_URL must look like smtp://user:pass@host:587")
        if self.sms_backend == "http" and not (self.sms_url and self.sms_from):
            raise ValueError("SMS_URL and SMS_FROM are required when SMS_BACKEND=http")
        if self.sms_url and not self.sms_url.startswith(("http://", "https://")):
            raise ValueError("SMS_URL must be an http(s) URL")
        if self.app_env == "production":
            # The console backends write login codes to the log: anyone who can
            # read the log could sign in as anyone.
            if self.email_backend == "console":
                raise ValueError("EMAIL_BACKEND=console is not allowed in production")
            if self.sms_backend == "console":
                raise ValueError(
                    "SMS_BACKEND=console is not allowed in production; use http or none"
                )
            if self.secret_key is None or len(self.secret_key.get_secret_value()) < 32:
                raise ValueError("SECRET_KEY of at least 32 characters is required in production")
            if not self.database_url:
                raise ValueError("DATABASE_URL is required in production")
            if not self.public_url:
                raise ValueError("PUBLIC_URL is required in production (links in emails use it)")
        if not self.public_url:
            object.__setattr__(self, "public_url", f"http://{self.host}:{self.port}")
        return self

    @property
    def is_development(self) -> bool:
        return self.app_env != "production"

    @property
    def graphiql_enabled(self) -> bool:
        return self.is_development if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        return self.is_development if self.introspection is None else self.introspection

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """The origins whose pages may call the API from a browser (CORS)."""
        if self.cors_origins is not None:
            return parse_origins(self.cors_origins)
        if not self.is_development:
            return ()
        return tuple(dict.fromkeys((_origin_of(self.storefront_url), EXAMPLE_STOREFRONT_ORIGIN)))

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.var_dir / 'app.db'}"

    def secret(self) -> bytes:
        """The key behind every HMAC; in development one is generated under VAR_DIR."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.var_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip().encode()


def parse_dunning_schedule(text: str) -> tuple[int, ...]:
    """ "1,3,7" -> (1, 3, 7): days after a declined renewal's date, rising; "" means no retry."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    try:
        days = tuple(int(part) for part in parts)
    except ValueError:
        raise ValueError("must be whole days separated by commas, e.g. 1,3,7") from None
    if any(day < 1 or day > 60 for day in days) or list(days) != sorted(set(days)):
        raise ValueError("must be rising days between 1 and 60, e.g. 1,3,7")
    return days


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def parse_origins(text: str) -> tuple[str, ...]:
    """ "https://shop.example, http://127.0.0.1:3000" -> each origin, as browsers send it.

    An origin is a scheme, a host and an optional port: a path, a wildcard or a
    trailing slash would never equal a browser's `Origin` header, so they are refused
    rather than silently matching nothing.
    """
    origins = tuple(part.strip() for part in text.split(",") if part.strip())
    for origin in origins:
        parts = urlsplit(origin)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or origin != _origin_of(origin)
        ):
            raise ValueError(
                f"{origin!r} is not an origin; give scheme://host[:port], e.g. https://shop.example"
            )
    return origins


def load_settings(**overrides: object) -> Settings:
    """Read the environment; turn a validation failure into one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        name = "_".join(str(part) for part in first["loc"]).upper()
        if not name:  # a cross-field rule: its message names the settings
            raise ConfigError(f"invalid configuration: {message}") from None
        raise ConfigError(f"invalid setting {name}: {message}") from None
