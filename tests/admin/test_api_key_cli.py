"""`python -m app api-key`: create (the secret shown once, stored hashed), list, revoke."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

from auth.api_keys import authenticate_key
from config import Settings
from domain.scopes import Scope
from plumbing.runtime import build_runtime

ROOT = Path(__file__).resolve().parents[2]


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _check(token: str, var_dir: Path) -> set[Scope] | None:
    async def run() -> set[Scope] | None:
        rt = build_runtime(Settings(app_env="development", var_dir=var_dir))
        try:
            principal = await authenticate_key(rt, token)
            return None if principal is None else set(principal.scopes)
        finally:
            await rt.db.dispose()

    return asyncio.run(run())


def test_keys_are_created_listed_and_revoked(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    env = {**os.environ, "VAR_DIR": str(var_dir), "APP_ENV": "development"}
    env.pop("DATABASE_URL", None)
    assert _cli(env, "migrate").returncode == 0

    created = _cli(
        env, "api-key", "create", "--name", "Storefront", "--scope", "orders:write",
        "--scope", "customers:read",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    token = re.search(r"^key: (\S+)$", created.stdout, re.M)
    assert token is not None
    secret = token[1]
    assert _check(secret, var_dir) == {Scope.ORDERS_WRITE, Scope.CUSTOMERS_READ}
    # Only a keyed hash is kept: the secret appears nowhere in the database file.
    stored = b"".join(path.read_bytes() for path in var_dir.glob("app.db*"))
    assert secret.encode() not in stored
    assert secret.rsplit("_", 1)[1].encode() not in stored

    listed = _cli(env, "api-key", "list")
    assert listed.returncode == 0
    [line] = listed.stdout.splitlines()
    assert line.startswith("1\tStorefront\tcak_") and "\tactive\t" in line
    assert "customers:read orders:write" in line
    assert secret.rsplit("_", 1)[1] not in listed.stdout

    revoked = _cli(env, "api-key", "revoke", "1")
    assert revoked.returncode == 0
    assert _check(secret, var_dir) is None
    assert "\trevoked\t" in _cli(env, "api-key", "list").stdout


def test_an_unknown_scope_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), "APP_ENV": "development"}
    env.pop("DATABASE_URL", None)
    assert _cli(env, "migrate").returncode == 0

    result = _cli(env, "api-key", "create", "--name", "x", "--scope", "orders:delete")

    assert result.returncode == 2
    assert "unknown scope orders:delete" in result.stderr
    assert _cli(env, "api-key", "list").stdout == ""
