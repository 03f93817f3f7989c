"""`python -m app worker`: as cron runs it (--once), as a monitor asks it (--check), as a
service stops it (SIGTERM), and beside the demo; each job one JSON line."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlmodel import col

from adapters.clock import ManualClock
from app.worker import check, run_once
from demo.seed import seed_demo
from domain.statuses import SubscriptionStatus
from models.customer import Customer
from models.database import Database
from models.order import Order
from models.subscription import Subscription
from plumbing.runtime import Runtime, build_runtime
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def _worker(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "worker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _job_lines(stderr: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [line for line in lines if "job" in line]


@pytest.fixture
def demo_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A migrated, seeded SQLite database whose due subscription is two days late."""
    env = {
        **os.environ,
        "VAR_DIR": str(tmp_path / "var"),
        "APP_ENV": "development",
        "LOG_LEVEL": "INFO",
        "WORKER_POLL_INTERVAL": "0.2",
    }
    env.pop("DATABASE_URL", None)
    for command in ("migrate", "seed"):
        subprocess.run(
            [sys.executable, "-m", "app", command], cwd=ROOT, env=env, check=True, timeout=120
        )
    late = datetime.now(UTC).date() - timedelta(days=2)

    async def backdate() -> None:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'var' / 'app.db'}")
        async with db.transaction() as session:
            await session.execute(
                update(Subscription)
                .where(col(Subscription.status) == SubscriptionStatus.ACTIVE)
                .where(col(Subscription.next_order_date) <= datetime.now(UTC).date() + timedelta(1))
                .values(next_order_date=late, anchor_date=late)
            )
        await db.dispose()

    asyncio.run(backdate())
    yield env


def test_worker_once_places_the_due_order_and_check_reports_the_lag(
    demo_env: dict[str, str],
) -> None:
    # given: the demo's due subscription, two days late
    before = _worker(demo_env, "--check")
    report = json.loads(before.stdout)
    assert before.returncode == 1
    assert report["ok"] is False and report["due_by_job"]["renewals_and_pauses"] == 1
    assert report["oldest_due_age_seconds"] >= 2 * 86_400 - 5 * 3_600  # any shop time zone

    # when
    once = _worker(demo_env, "--once")

    # then: exit 0, one job line per job, and nothing is due any more
    assert once.returncode == 0, once.stderr
    jobs = _job_lines(once.stderr)
    assert [(j["job"], j["outcome"]) for j in jobs[:3]] == [
        ("end_fixed_pauses", "done"),
        ("renewal", "order_placed"),
        ("upcoming_orders", "done"),
    ]
    # The order placed is emailed (other demo news may go out beside it).
    notified = [(j["job"], j["outcome"], j.get("topic")) for j in jobs[3:]]
    assert ("notification", "sent", "subscription.order_placed") in notified
    assert {outcome for _, outcome, _ in notified} == {"sent"}
    assert str(jobs[1]["job_id"]).startswith("renewal:") and jobs[1]["order_id"]
    after = _worker(demo_env, "--check")
    assert after.returncode == 0
    assert json.loads(after.stdout) == {
        "oldest_due_age_seconds": None,
        "due": 0,
        "due_by_job": {
            "renewals_and_pauses": 0,
            "early_orders": 0,
            "notifications": 0,
            "webhooks": 0,
        },
        "max_lag_seconds": 3_600,
        "ok": True,
    }


def test_sigterm_lets_the_worker_finish_and_exit_0(demo_env: dict[str, str]) -> None:
    # given: the worker looping
    worker = subprocess.Popen(
        [sys.executable, "-m", "app", "worker"],
        cwd=ROOT,
        env=demo_env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seen: list[dict[str, object]] = []
        deadline = time.monotonic() + 60
        assert worker.stderr is not None
        while time.monotonic() < deadline and not any(j["job"] == "renewal" for j in seen):
            line = worker.stderr.readline()
            if line.startswith("{"):
                seen += _job_lines(line)

        # when
        worker.send_signal(signal.SIGTERM)
        _, rest = worker.communicate(timeout=30)

        # then: its order was placed, and it stopped cleanly
        assert [j["outcome"] for j in seen if j["job"] == "renewal"] == ["order_placed"]
        assert worker.returncode == 0
        assert "worker stopped" in rest
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()


async def test_the_demo_places_its_due_order_on_the_first_pass(
    settings: object, db: Database, clock: ManualClock
) -> None:
    # given: the demo data, seeded today
    demo = build_runtime(settings, db=db, clock=clock)  # type: ignore[arg-type]
    assert await seed_demo(demo)

    # when
    outcomes = await run_once(demo)

    # then: Ada's subscription due today has its order
    assert [o.outcome for o in outcomes] == ["order_placed"]
    async with demo.db.read() as session:
        order = await session.get(Order, outcomes[0].order_id)
        assert order is not None
        owner = await session.get(Customer, order.customer_id)
    assert owner is not None and owner.email == "ada@example.com"


async def test_check_counts_due_renewals_and_pauses(rt: Runtime, clock: ManualClock) -> None:
    # given: a renewal due since yesterday and a pause that ended today
    ada = await factories.customer(rt)
    await factories.subscription(rt, ada, next_order_date=date(2026, 11, 20))
    await factories.subscription(
        rt, ada, status=SubscriptionStatus.PAUSED, paused_until=date(2026, 11, 21)
    )

    # when
    report, healthy = await check(rt)

    # then: the oldest began at midnight yesterday (UTC shop): 39 hours ago
    assert report == {
        "oldest_due_age_seconds": 39 * 3_600,
        "due": 2,
        "due_by_job": {
            "renewals_and_pauses": 2,
            "early_orders": 0,
            "notifications": 0,
            "webhooks": 0,
        },
        "max_lag_seconds": 3_600,
        "ok": False,
    }
    assert healthy is False
    await run_once(rt)
    async with rt.db.read() as session:
        statuses = (await session.scalars(select(Subscription.status))).all()
    assert sorted(statuses) == [SubscriptionStatus.ACTIVE, SubscriptionStatus.ACTIVE]
    assert (await check(rt))[0]["due"] == 0
