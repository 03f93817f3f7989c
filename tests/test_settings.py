"""Configuration: defaults, bounds, and one clear line for a bad setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_suit_development(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    assert settings.app_env == "development"
    assert settings.login_code_length == 6
    assert settings.login_code_ttl == 600
    assert settings.login_max_attempts == 5
    assert settings.graphiql_enabled and settings.introspection_enabled
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"


def test_development_generates_and_keeps_a_secret_key(tmp_path: Path) -> None:
    first = Settings(var_dir=tmp_path).secret()
    assert len(first) >= 32
    assert Settings(var_dir=tmp_path).secret() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("length", [4, 8])
def test_code_length_accepts_4_to_8(length: int) -> None:
    assert Settings(login_code_length=length).login_code_length == length


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"LOGIN_CODE_LENGTH": "3"}, "LOGIN_CODE_LENGTH"),
        ({"LOGIN_CODE_LENGTH": "9"}, "LOGIN_CODE_LENGTH"),
        ({"PORT": "http"}, "PORT"),
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"EMAIL_BACKEND": "pigeon"}, "EMAIL_BACKEND"),
        ({"PUBLIC_URL": "example.com"}, "PUBLIC_URL"),
    ],
)
def test_a_bad_setting_names_itself(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], name: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=f"^invalid setting {name}: "):
        load_settings()


def test_production_requires_a_secret_key_a_database_and_a_public_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://db/app")
    monkeypatch.setenv("EMAIL_BACKEND", "smtp")
    monkeypatch.setenv("SMTP_URL", "smtp://mail.example.com:587")
    monkeypatch.setenv("SMS_BACKEND", "none")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        load_settings()
    monkeypatch.setenv("PUBLIC_URL", "https://account.example.com")
    settings = load_settings()
    assert not settings.graphiql_enabled and not settings.introspection_enabled


@pytest.mark.parametrize(
    ("backend", "value"), [("EMAIL_BACKEND", "console"), ("SMS_BACKEND", "console")]
)
def test_production_refuses_backends_that_log_login_codes(
    monkeypatch: pytest.MonkeyPatch, backend: str, value: str
) -> None:
    production = {
        "APP_ENV": "production",
        "DATABASE_URL": "postgresql+asyncpg://db/app",
        "SECRET_KEY": "k" * 40,
        "PUBLIC_URL": "https://account.example.com",
        "EMAIL_BACKEND": "smtp",
        "SMTP_URL": "smtp://mail.example.com:587",
        "SMS_BACKEND": "none",
    }
    for key, setting in {**production, backend: value}.items():
        monkeypatch.setenv(key, setting)
    with pytest.raises(ConfigError, match=f"^invalid configuration: {backend}=console is not"):
        load_settings()


def test_http_sms_backend_requires_a_url_and_a_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMS_BACKEND", "http")
    monkeypatch.setenv("SMS_URL", "https://sms.example.com/messages")
    with pytest.raises(ConfigError, match="SMS_URL and SMS_FROM are required"):
        load_settings()
    monkeypatch.setenv("SMS_FROM", "+15550100000")
    assert load_settings().sms_from == "+15550100000"


def test_smtp_backend_requires_an_smtp_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_BACKEND", "smtp")
    with pytest.raises(ConfigError, match="SMTP_URL"):
        load_settings()


def test_cli_stops_with_one_line_naming_the_setting(tmp_path: Path) -> None:
    env = {**os.environ, "LOGIN_CODE_LENGTH": "12", "VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "app", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: invalid setting LOGIN_CODE_LENGTH: Input should be less than or equal to 8"
    ]


def test_cors_allows_the_storefront_and_the_example_in_development_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STOREFRONT_URL", "https://Shop.example/account")
    assert load_settings().allowed_origins == ("https://shop.example", "http://127.0.0.1:3000")
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://db/app")
    monkeypatch.setenv("EMAIL_BACKEND", "smtp")
    monkeypatch.setenv("SMTP_URL", "smtp://mail.example.com:587")
    monkeypatch.setenv("SMS_BACKEND", "none")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("PUBLIC_URL", "https://account.example.com")
    assert load_settings().allowed_origins == ()
    monkeypatch.setenv("CORS_ORIGINS", "https://shop.example, https://www.shop.example")
    assert load_settings().allowed_origins == ("https://shop.example", "https://www.shop.example")


@pytest.mark.parametrize(
    "value", ["*", "https://shop.example/", "https://shop.example/account", "shop.example"]
)
def test_cors_origins_must_be_origins(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CORS_ORIGINS", f"https://ok.example,{value}")
    with pytest.raises(ConfigError, match=r"^invalid setting CORS_ORIGINS: .* is not an origin"):
        load_settings()
