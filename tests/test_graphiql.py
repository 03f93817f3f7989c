"""GraphiQL works offline: the page and every asset come from the app itself."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from graphql import build_schema, parse, validate

from adapters.mail import ConsoleEmailBackend
from app.graphiql import ASSETS_DIR, TABS
from app.graphiql import page as graphiql_page
from plumbing.runtime import Runtime
from tests import factories

SCHEMA = build_schema((Path(__file__).parent.parent / "schema.graphql").read_text())
ORIGIN = "http://testserver"


class References(HTMLParser):
    """Every URL the page makes a browser fetch, and the inline config."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.config: str | None = None
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            if values.get(name):
                self.urls.append(values[name] or "")
        self._in_config = tag == "script" and values.get("id") == "graphiql-config"

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config = data
            self._in_config = False


async def open_page(http: httpx.AsyncClient) -> tuple[httpx.Response, References]:
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    references = References()
    references.feed(response.text)
    return response, references


def same_origin(url: str) -> bool:
    parts = urlsplit(urljoin(f"{ORIGIN}/graphql", url))
    return f"{parts.scheme}://{parts.netloc}" == ORIGIN


async def test_the_page_and_every_asset_come_from_the_app(http: httpx.AsyncClient) -> None:
    page, references = await open_page(http)
    assert "unpkg" not in page.text and "cdn" not in page.text.lower()
    assert len(references.urls) == 5  # a stylesheet and four scripts
    fetched: dict[str, httpx.Response] = {}
    for url in references.urls:
        assert same_origin(url), url
        asset = await http.get(urljoin("/graphql", url))
        assert asset.status_code == 200, url
        assert len(asset.content) > 1_000 or url.endswith("start.js"), url
        fetched[url] = asset
    # A stylesheet could pull fonts or images from elsewhere: all are inline.
    for url, asset in fetched.items():
        if url.endswith(".css"):
            for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", asset.text):
                assert target.startswith("data:") or same_origin(target), target
            assert "@import" not in asset.text


async def test_the_vendored_files_are_production_builds_with_their_licences() -> None:
    names = {path.name for path in ASSETS_DIR.iterdir()}
    assert {"LICENSE.graphiql", "LICENSE.react", "LICENSE.react-dom"} <= names
    assert not [name for name in names if "development" in name or name.endswith(".map")]
    total = sum(path.stat().st_size for path in ASSETS_DIR.iterdir())
    assert total < 2_500_000


async def test_it_opens_on_example_operations_that_the_schema_accepts(
    http: httpx.AsyncClient,
) -> None:
    _, references = await open_page(http)
    assert references.config is not None
    config = json.loads(references.config)
    assert config["endpoint"] == "/graphql"
    tabs = config["tabs"]
    # The login flow first, saying where the demo prints codes.
    assert "mutation RequestCode" in tabs[0]["query"]
    assert "mutation VerifyCode" in tabs[0]["query"]
    assert "server's log" in tabs[0]["query"] and "./var/outbox/" in tabs[0]["query"]
    for tab in tabs:
        assert validate(SCHEMA, parse(tab["query"])) == [], tab["query"]
        json.loads(tab.get("variables") or "{}")
        headers = json.loads(tab["headers"])
        # Every tab after login shows where the token goes.
        if tab is not tabs[0]:
            assert headers["Authorization"].startswith("Bearer ")


@pytest.mark.parametrize(
    "settings_overrides",
    [{"graphiql": False}],
)
async def test_no_page_and_no_assets_when_graphiql_is_off(http: httpx.AsyncClient) -> None:
    assert (await http.get("/graphql", headers={"Accept": "text/html"})).status_code == 404
    assert (await http.get("/graphiql/graphiql.min.js")).status_code == 404


async def test_the_example_tabs_run_in_order(
    http: httpx.AsyncClient, rt: Runtime, mailer: ConsoleEmailBackend
) -> None:
    await factories.customer(rt, email="ada@example.com", first_name="Ada")
    [login, dashboard, *_] = TABS

    async def run(
        tab: dict[str, str], name: str, variables: dict[str, str], token: str = ""
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {"query": tab["query"], "operationName": name, "variables": variables}
        response = await http.post("/graphql", json=body, headers=headers)
        assert response.status_code == 200 and "errors" not in response.json(), response.text
        return response.json()["data"]

    await run(login, "RequestCode", {"email": "ada@example.com"})
    await rt.courier.drain()  # the code is emailed after the response
    code = re.search(r"\b(\d{6})\b", mailer.sent[-1].text)
    assert code is not None
    verified = await run(login, "VerifyCode", {"email": "ada@example.com", "code": code[1]})
    token = verified["verifyLoginCode"]["session"]["token"]
    data = await run(dashboard, "Dashboard", {}, token)
    assert data["me"]["email"] == "ada@example.com"
    # The placeholder in the headers editor is refused with a message saying what to do.
    hint = json.loads(dashboard["headers"])["Authorization"]
    refused = await http.post(
        "/graphql", json={"query": dashboard["query"]}, headers={"Authorization": hint}
    )
    assert refused.status_code == 401 and "sign in again" in refused.text


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_the_start_script_keeps_the_placeholder_out_of_the_schema_read(tmp_path: Path) -> None:
    """GraphiQL reads the schema with the open tab's headers; the placeholder
    would be refused with 401 and leave the editor without completion."""
    page = tmp_path / "page.html"
    page.write_text(graphiql_page("/graphql"))
    root = Path(__file__).parent.parent
    run = subprocess.run(
        ["node", str(root / "tests" / "graphiql_start.js"), str(page)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result = json.loads(run.stdout)
    hint = json.loads(TABS[1]["headers"])
    assert result == {
        "sent": [
            ["IntrospectionQuery", {}],
            ["Dashboard", hint],
            ["IntrospectionQuery", {"Authorization": "Bearer real"}],
        ],
        "tools": "headers",
        "tabs": len(TABS),
    }


async def test_the_admin_page_opens_on_operations_of_the_admin_schema(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/admin/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    references = References()
    references.feed(response.text)
    assert references.config is not None
    config = json.loads(references.config)
    assert config["endpoint"] == "/admin/graphql"
    admin_schema = build_schema((Path(__file__).parent.parent / "admin.graphql").read_text())
    for tab in config["tabs"]:
        assert validate(admin_schema, parse(tab["query"])) == [], tab["query"]
        assert json.loads(tab["headers"])["Authorization"] == config["tokenPlaceholder"]
