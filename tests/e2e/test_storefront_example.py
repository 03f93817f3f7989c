"""examples/storefront in a real browser: the system Chromium drives the built page,
served on its own origin, against the API with the demo store, over real HTTP and SMTP.

Skipped when /usr/bin/chromium (Debian's `chromium`) is absent, unless REQUIRE_BROWSER=1
(CI installs it first), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from sqlalchemy import select
from sqlmodel import col
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from adapters.clock import ManualClock
from adapters.mail import SmtpEmailBackend
from adapters.sms import ConsoleSmsBackend
from app.main import create_app
from config import Settings
from demo.seed import seed_demo
from models.customer import Customer
from models.database import Database
from models.order import Order, OrderLineItem
from models.subscription import Subscription
from plumbing.runtime import Runtime, build_runtime
from tests import factories
from tests.live_server import LiveServer, free_port, serving
from tests.smtp import SmtpServer, code_in, link_token_in

pytestmark = pytest.mark.timeout(240)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "storefront"
CHROMIUM = Path("/usr/bin/chromium")
ADA = "ada@example.com"


@pytest.fixture
def ports() -> tuple[int, int]:
    """The API's and the page's: two origins, as in real life."""
    return free_port(), free_port()


@pytest.fixture
def settings_overrides(ports: tuple[int, int]) -> dict[str, object]:
    api, page = ports
    # CORS_ORIGINS is left unset: its development default is the storefront's origin.
    return {"public_url": f"http://127.0.0.1:{api}", "storefront_url": f"http://127.0.0.1:{page}"}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
async def demo(settings: Settings, db: Database, clock: ManualClock, smtp: SmtpServer) -> Runtime:
    """The demo store on the test's database, emailing through the test's SMTP server."""
    mailer = SmtpEmailBackend("Northwind <store@example.com>", smtp.url, timeout=5)
    rt = build_runtime(settings, db=db, clock=clock, mailer=mailer, sms=ConsoleSmsBackend())
    assert await seed_demo(rt)
    return rt


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        command, cwd=EXAMPLE, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture
def built_page(tmp_path: Path, settings: Settings) -> Path:
    """`npm run build` (codegen, type check, vite) with the test API's URL baked in."""
    npm = shutil.which("npm")
    assert npm, "the storefront example needs Node.js and npm on PATH"
    if not (EXAMPLE / "node_modules").is_dir():
        _run([npm, "ci", "--no-audit", "--no-fund"])
    out = tmp_path / "dist"
    env = {**os.environ, "VITE_API_URL": f"{settings.public_url}/graphql"}
    _run([npm, "run", "build", "--", "--outDir", str(out), "--emptyOutDir"], env)
    return out


def static_site(dist: Path) -> Starlette:
    """What any static host does for a single-page app: files, else index.html."""

    async def index(request: Request) -> FileResponse:
        return FileResponse(dist / "index.html")

    return Starlette(
        routes=[
            Mount("/assets", StaticFiles(directory=dist / "assets")),
            Route("/{path:path}", index),
        ]
    )


@pytest.fixture(autouse=True)
def chromium() -> Path:
    """First of all, so a machine without the browser skips before building anything."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(chromium))
        yield chromium
        await chromium.close()


@pytest.fixture
async def sites(
    demo: Runtime, settings: Settings, built_page: Path, ports: tuple[int, int]
) -> AsyncIterator[tuple[LiveServer, LiveServer]]:
    api_port, page_port = ports
    async with (
        serving(create_app(settings, runtime=demo), api_port) as api,
        serving(static_site(built_page), page_port) as page,
    ):
        yield api, page


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context()
    tab = await context.new_page()
    failures: list[str] = []
    tab.on("pageerror", lambda error: failures.append(str(error)))
    yield tab
    await context.close()
    assert failures == [], failures


async def ada(rt: Runtime) -> Customer:
    async with rt.db.read() as session:
        row = await session.scalar(select(Customer).where(col(Customer.email) == ADA))
    assert row is not None
    return row


async def next_order_dates(rt: Runtime, customer: Customer) -> dict[int, date | None]:
    async with rt.db.read() as session:
        rows = await session.execute(
            select(Subscription.id, Subscription.next_order_date).where(
                col(Subscription.customer_id) == customer.id
            )
        )
    return {row.id: row.next_order_date for row in rows}


async def test_ada_logs_in_by_code_sees_her_orders_and_opens_one(
    demo: Runtime, sites: tuple[LiveServer, LiveServer], page: Page, smtp: SmtpServer
) -> None:
    api, site = sites
    customer = await ada(demo)
    async with demo.db.read() as session:
        newest = (
            await session.execute(
                select(Order.id, Order.number)
                .where(col(Order.customer_id) == customer.id)
                .order_by(col(Order.placed_at).desc(), col(Order.id).desc())
                .limit(10)
            )
        ).all()
        lines = await session.scalar(
            select(OrderLineItem.id).where(col(OrderLineItem.order_id) == newest[0].id).limit(1)
        )
    assert newest and lines is not None

    # Not signed in: the account sends the visitor to the login.
    await page.goto(f"{site.url}/account")
    await expect(page).to_have_url(f"{site.url}/account/login")
    await page.get_by_label("Email").fill(ADA)
    await page.get_by_role("button", name="Send code").click()
    await expect(page.get_by_text(f"We sent a code to {ADA}.")).to_be_visible()
    [message] = await smtp.wait_for(ADA)
    await page.get_by_label("Code").fill(code_in(message))
    await page.get_by_role("button", name="Log in").click()

    await expect(page).to_have_url(f"{site.url}/account")
    await expect(page.locator("#welcome")).to_contain_text(f"Ada Lovelace ({ADA})")
    numbers = page.locator("#orders tbody tr td:first-child a")
    await expect(numbers).to_have_text([row.number for row in newest])
    # The session is the tab's alone.
    assert await page.evaluate("sessionStorage.getItem('account.sessionToken')")
    assert await page.evaluate("localStorage.length") == 0

    await numbers.first.click()
    await expect(page.locator("#order-number")).to_have_text(f"Order {newest[0].number}")
    await expect(page.locator("#line-items tbody tr").first).to_be_visible()
    invoice = await page.locator("#invoice").get_attribute("href")
    assert invoice and invoice.startswith(f"{api.url}/invoices/")
    printed = await page.request.get(invoice)
    assert printed.status == 200
    assert newest[0].number in await printed.text()

    # Back in the history, the orders again, without a reload.
    await page.go_back()
    await expect(numbers).to_have_count(len(newest))


async def test_sign_in_link_lands_on_the_page_which_escapes_data_and_acts(
    demo: Runtime, sites: tuple[LiveServer, LiveServer], page: Page, smtp: SmtpServer
) -> None:
    api, site = sites
    customer = await ada(demo)
    hostile = '<img src=x onerror="document.title=1"> Broken & "bent"'
    await factories.ticket(demo, customer, subject=hostile)
    before = await next_order_dates(demo, customer)

    # The emailed sign-in link opens the API's page; its button lands on the storefront.
    await page.goto(f"{site.url}/account/login")
    await page.get_by_label("Email").fill(ADA)
    await page.get_by_role("button", name="Send code").click()
    [message] = await smtp.wait_for(ADA)
    await page.goto(f"{api.url}/auth/magic-link?token={link_token_in(message)}")
    await page.locator("form button").click()
    await expect(page).to_have_url(f"{site.url}/account")  # the token left the address bar
    await expect(page.locator("#orders")).to_be_visible()

    # Data is text, never markup.
    await page.get_by_role("link", name="Support", exact=True).click()
    await expect(page.locator("#tickets")).to_contain_text(hostile)
    assert await page.locator("#tickets img").count() == 0
    await page.locator("#tickets a", has_text="Broken &").click()
    await page.get_by_label("Reply").fill("Still <b>waiting</b>.")
    await page.get_by_role("button", name="Send reply").click()
    await expect(page.locator("#messages li").last).to_contain_text("Still <b>waiting</b>.")
    assert await page.title() == "My account"

    # A subscription action: skip the next order.
    await page.get_by_role("link", name="Subscriptions", exact=True).click()
    skip = page.get_by_role("button", name="Skip next order")
    card = page.locator("#subscriptions li", has=skip).first
    await card.get_by_role("button", name="Skip next order").click()
    await expect(card.get_by_role("button", name="Restore")).to_be_visible()
    after = await next_order_dates(demo, customer)
    [(sid, skipped)] = [(sid, day) for sid, day in before.items() if after[sid] != day]
    assert skipped is not None and after[sid] is not None and after[sid] > skipped
