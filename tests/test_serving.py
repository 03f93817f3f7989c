"""How a serving process starts: its heap settled for the collector, its workers."""

from __future__ import annotations

import gc
from pathlib import Path

import httpx
import pytest

from app.cli import main
from app.main import GC_THRESHOLDS, create_app


async def test_a_serving_process_freezes_its_start_up_heap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("APP_ENV", "development")
    from config import load_settings

    app = create_app(load_settings())
    before = gc.get_threshold()
    try:
        # The lifespan runs as uvicorn runs it: start-up, then shut-down.
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold() == GC_THRESHOLDS
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                assert (await client.get("/healthz")).status_code == 200
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_serve_refuses_fewer_than_one_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    assert main(["serve", "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err


def test_serve_runs_the_number_of_workers_asked_for(tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "VAR_DIR": str(tmp_path), "PORT": str(port), "APP_ENV": "development"}
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--workers", "2"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not answer within 30 s")
        # Each worker logs its start; give the second one a moment if it is behind.
        time.sleep(1)
    finally:
        server.terminate()
        _, log = server.communicate(timeout=30)
    assert log.count("Started server process") == 2, log
