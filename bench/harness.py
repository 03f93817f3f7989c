"""Running the servers under test and wrk against them, and reading CPU from /proc."""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import orjson

from bench.common import DSN, PYTHON, ROOT, SECRET_KEY

LUA = Path(__file__).with_name("wrk_post.lua")
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class WrkResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (make bench does it)")
    return found


def run_wrk(url: str, body: bytes, token: str, *, connections: int, seconds: float) -> WrkResult:
    # One wrk thread per 8 connections (at most 2: the machine has 2 cores to share with
    # the servers and PostgreSQL).
    threads = max(1, min(2, connections // 8))
    env = dict(os.environ, BENCH_BODY=body.decode(), BENCH_TOKEN=token)
    command = [
        require_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(LUA),
        url,
    ]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    raw = orjson.loads(line.removeprefix("BENCH "))
    return WrkResult(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        errors=raw["errors"] + raw["status_errors"],
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
    )


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the processes, in seconds (fields 14 and 15 of /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


async def _backends() -> list[int]:
    conn = await asyncpg.connect(DSN)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row["pid"] for row in rows]
    finally:
        await conn.close()


def bench_backends() -> list[int]:
    """The PostgreSQL backends connected to the bench database (the servers' pools).

    Not every postgres process: other databases on the same server are not ours.
    """
    return asyncio.run(_backends())


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent not idle (user, nice, system, irq, softirq, steal)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICK


def own_and_children_seconds() -> float:
    """CPU of this process and its finished children (wrk, once it has exited)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def other_load(ours: list[int], seconds: float = 1.0) -> float:
    """Cores used over `seconds` by processes other than `ours` and this one."""
    before = machine_busy_seconds(), cpu_seconds(ours), own_and_children_seconds()
    time.sleep(seconds)
    after = machine_busy_seconds(), cpu_seconds(ours), own_and_children_seconds()
    busy, mine, me = (x - y for x, y in zip(after, before, strict=True))
    return max(0.0, busy - mine - me) / seconds


class QuietGate:
    """Waits, within a budget for the whole run, until the machine is quiet before a run.

    Other work on the machine (a test suite, a build) takes cores from the servers and
    PostgreSQL; waiting for it to pass keeps it out of the figures when possible, and
    the load that remains is recorded with every sample.
    """

    def __init__(self, budget: float, threshold: float = 0.25) -> None:
        self.budget = budget
        self.threshold = threshold
        self.waited = 0.0

    def wait(self, ours: list[int], patience: float = 30.0) -> float:
        load = other_load(ours, 0.5)
        started = time.monotonic()
        while load > self.threshold and self.waited < self.budget:
            if time.monotonic() - started > patience:
                break
            load = other_load(ours, 1.0)
            self.waited += 1.0
        return load


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def workers(self) -> list[int]:
        """The uvicorn worker processes (not the supervisor nor multiprocessing's tracker)."""
        pids = children(self.process.pid)
        return [p for p in pids if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}")
            try:
                ok = httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code
                if ok == 200 and len(self.workers()) >= 2:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"{self.name} did not answer /healthz within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_api(port: int, env: dict[str, str], log: Path) -> Server:
    command = [PYTHON, "-m", "app", "serve", "--workers", "2"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    return Server("A (API)", port, process)


def start_handwritten(port: int, log: Path) -> Server:
    env = dict(os.environ, BENCH_DSN=DSN, SECRET_KEY=SECRET_KEY, PYTHONPATH=str(ROOT))
    # The same uvicorn stack as the API's `serve` (uvloop, httptools, no access log).
    command = [
        PYTHON,
        "-m",
        "uvicorn",
        "bench.handwritten:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
        "--log-level",
        "warning",
        "--no-access-log",
        "--no-server-header",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    return Server("B (hand-written)", port, process)


@contextmanager
def running(*servers: Server) -> Iterator[tuple[Server, ...]]:
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()
