"""`purge` deletes what can never be used again and keeps everything still live."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from adapters.clock import ManualClock
from auth import login, sessions
from domain.actors import Actor
from models.auth import CustomerSession, LoginChallenge, MagicLink, Throttle
from models.events import IdempotencyKey
from plumbing import idempotency
from plumbing.runtime import Runtime
from services.housekeeping import purge
from tests import factories

TABLES: dict[str, Any] = {
    "login codes": LoginChallenge,
    "magic links": MagicLink,
    "sessions": CustomerSession,
    "rate-limit windows": Throttle,
    "idempotency keys": IdempotencyKey,
}
NOTHING = dict.fromkeys(TABLES, 0)


async def row_counts(rt: Runtime) -> dict[str, int]:
    async with rt.db.read() as session:
        return {
            name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in TABLES.items()
        }


async def one_of_everything(rt: Runtime, email: str) -> str:
    """A login code, its magic link and throttle windows, a session and an idempotency key."""
    await login.request_login_code(rt, email=email, phone=None, ip="198.51.100.7")
    customer = await factories.customer(rt, email=f"session-{email}")
    token = await factories.login(rt, customer)

    async def work(_session: Any) -> dict[str, Any]:
        return {"done": True}

    assert customer.id is not None
    await idempotency.run(
        rt,
        actor=Actor.customer(customer.id),
        operation="probe",
        key=email,
        request={},
        work=work,
    )
    return token


async def test_purge_keeps_everything_still_usable(rt: Runtime) -> None:
    token = await one_of_everything(rt, "ada@example.com")
    before = await row_counts(rt)

    deleted = await purge(rt)

    assert deleted == NOTHING
    assert await row_counts(rt) == before
    assert await sessions.authenticate(rt, token) is not None


async def test_each_kind_goes_when_it_expires(rt: Runtime, clock: ManualClock) -> None:
    await one_of_everything(rt, "ada@example.com")
    start = await row_counts(rt)
    # Two rate-limit windows (per address, per IP); one of each of the rest.
    assert start == {**dict.fromkeys(TABLES, 1), "rate-limit windows": 2}

    clock.advance(minutes=11)  # past the login code's 10 minutes and both windows
    first = await purge(rt)
    clock.advance(hours=24)  # past the magic link's day and the idempotency key's
    second = await purge(rt)
    clock.advance(days=30)  # past the session's 30 days
    third = await purge(rt)

    assert first == {**NOTHING, "login codes": 1, "rate-limit windows": 2}
    assert second == {**NOTHING, "magic links": 1, "idempotency keys": 1}
    assert third == {**NOTHING, "sessions": 1}
    assert await row_counts(rt) == NOTHING


async def test_a_sliding_session_in_use_is_kept(rt: Runtime, clock: ManualClock) -> None:
    customer = await factories.customer(rt)
    token = await factories.login(rt, customer)

    for _ in range(3):  # used every 20 days: never 30 days idle
        clock.advance(days=20)
        assert await sessions.authenticate(rt, token) is not None
        await purge(rt)

    assert (await row_counts(rt))["sessions"] == 1
    assert await sessions.authenticate(rt, token) is not None


async def test_purge_works_through_more_rows_than_one_batch(
    rt: Runtime, clock: ManualClock
) -> None:
    customers = [await factories.customer(rt) for _ in range(5)]
    for customer in customers:
        await factories.login(rt, customer)
    clock.advance(days=31)
    live = await factories.login(rt, customers[0])

    deleted = await purge(rt, batch_size=2)

    assert deleted["sessions"] == 5
    assert (await row_counts(rt))["sessions"] == 1
    assert await sessions.authenticate(rt, live) is not None


def test_the_purge_command_runs_on_a_migrated_database(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "APP_ENV": "development",
        "VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
    }
    root = Path(__file__).resolve().parents[2]

    def cli(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", command],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    migrated = cli("migrate")
    purged = cli("purge")

    assert migrated.returncode == 0, migrated.stderr
    assert purged.returncode == 0, purged.stderr
    assert "purged 0 login codes, 0 magic links, 0 sessions" in purged.stderr
