"""The whole benchmark, as `make bench` runs it; writes docs/performance.md.

    .venv/bin/python -m bench.run [--seconds 6] [--rounds 3] [--no-report]

1. Seed the bulk data once (bench/seed_bulk.py; later runs skip it).
2. Start A, the API (`python -m app serve --workers 2`, APP_ENV=production), and B,
   the hand-written endpoint (bench/handwritten.py, uvicorn --workers 2).
3. Byte-compare A's and B's responses for every page size; stop on any difference.
4. The floor (bench/floor.py), compiled plans beside it (bench/compiled.py), each in
   its own process, and A's database round trips.
5. wrk: first = 1, 20, 100 at concurrency 1 and 16, alternating A and B, in rounds.
6. Deep pages (bench/deep.py) and login throughput (bench/login.py) against A.
7. Print the tables and write docs/performance.md (bench/report.py).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from bench import deep, login, report, roundtrips, seed_bulk
from bench.common import (
    A_PORT,
    B_PORT,
    BENCH_EMAIL,
    DASHBOARD,
    DEEP_EMAIL,
    DSN,
    PAGE_SIZES,
    PYTHON,
    ROOT,
    app_env,
    free_port,
    new_session,
)
from bench.harness import (
    QuietGate,
    Server,
    bench_backends,
    cpu_seconds,
    machine_busy_seconds,
    own_and_children_seconds,
    require_wrk,
    run_wrk,
    running,
    start_api,
    start_handwritten,
)
from bench.machine import code_state
from bench.report import Results, Sample

CONCURRENCY = (1, 16)


def body(size: int) -> bytes:
    return orjson.dumps({"query": DASHBOARD, "variables": {"n": size}})


async def sessions() -> tuple[str, str]:
    conn = await asyncpg.connect(DSN)
    try:
        return await new_session(conn, BENCH_EMAIL), await new_session(conn, DEEP_EMAIL)
    finally:
        await conn.close()


def compare(a: Server, b: Server, token: str) -> dict[int, bytes]:
    """A's and B's bytes for every page size (and a dead token); any difference stops the run."""
    cases = [(size, token) for size in (0, *PAGE_SIZES)] + [(20, "not-a-session")]
    answers: dict[int, bytes] = {}
    with httpx.Client(timeout=60) as http:
        for size, bearer in cases:
            headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
            got = [http.post(s.url, content=body(size), headers=headers) for s in (a, b)]
            left, right = (r.content for r in got)
            if any(r.status_code != 200 for r in got) or left != right:
                at = next(
                    (
                        i
                        for i, pair in enumerate(zip(left, right, strict=False))
                        if len(set(pair)) > 1
                    ),
                    min(len(left), len(right)),
                )
                sys.exit(
                    f"FAIL: A and B differ for first={size} (token {bearer[:6]}...), "
                    f"status {got[0].status_code}/{got[1].status_code}, at byte {at}:\n"
                    f"  A: {left[max(0, at - 120) : at + 120]!r}\n"
                    f"  B: {right[max(0, at - 120) : at + 120]!r}"
                )
            if b'"errors"' in left or (bearer == token and b'"me":null' in left):
                sys.exit(f"FAIL: the API answered first={size} with {left[:300]!r}")
            if bearer == token:
                answers[size] = left
            print(f"  first={size:<3} {len(left):>6} bytes, identical", flush=True)
    return answers


def floor(answers: dict[int, bytes], seconds: float) -> dict[str, Any]:
    """The floor in its own process (its CPU is not the servers'); its bytes must be A's."""
    out = subprocess.run(
        [PYTHON, "-m", "bench.floor", "--json", "--seconds", str(seconds)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = orjson.loads(out.strip().splitlines()[-1])
    for size in PAGE_SIZES:
        if result["sizes"][str(size)]["sha256"] != hashlib.sha256(answers[size]).hexdigest():
            sys.exit(f"FAIL: the floor's response for first={size} is not the API's")
    return result


def compiled(answers: dict[int, bytes]) -> dict[str, Any]:
    """bench/compiled.py in its own process; the answers it compared must be A's."""
    out = subprocess.run(
        [PYTHON, "-m", "bench.compiled", "--json"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = orjson.loads(out.strip().splitlines()[-1])
    for size in PAGE_SIZES:
        if result["sizes"][str(size)]["sha256"] != hashlib.sha256(answers[size]).hexdigest():
            sys.exit(f"FAIL: the compiled plan's response for first={size} is not the API's")
    return result


def measure(
    server: Server, size: int, connections: int, seconds: float, token: str, gate: QuietGate
) -> Sample:
    workers, pg = server.workers(), bench_backends()
    gate.wait(workers + pg)
    before = (
        cpu_seconds(workers),
        cpu_seconds(pg),
        machine_busy_seconds(),
        own_and_children_seconds(),
        time.perf_counter(),
    )
    result = run_wrk(server.url, body(size), token, connections=connections, seconds=seconds)
    after = (
        cpu_seconds(workers),
        cpu_seconds(pg),
        machine_busy_seconds(),
        own_and_children_seconds(),
        time.perf_counter(),
    )
    server_cpu, db_cpu, busy, ours, wall = (x - y for x, y in zip(after, before, strict=True))
    if result.errors:
        sys.exit(f"FAIL: {server.name} first={size} c={connections}: {result.errors} errors")
    per = max(result.requests, 1)
    return Sample(
        server=server.name[0],
        size=size,
        connections=connections,
        round=0,
        wrk=result,
        server_cpu_ms=server_cpu / per * 1e3,
        db_cpu_ms=db_cpu / per * 1e3,
        # Whatever else ran on the machine meanwhile (wrk and this driver excluded), in cores.
        other_cores=max(0.0, busy - server_cpu - db_cpu - ours) / wall,
    )


def load(a: Server, b: Server, token: str, results: Results, gate: QuietGate) -> None:
    for server in (a, b):  # warm both: pools filled, statements prepared, caches filled
        for size in PAGE_SIZES:
            run_wrk(server.url, body(size), token, connections=16, seconds=2)
    for r in range(results.rounds):
        for size in PAGE_SIZES:
            for connections in CONCURRENCY:
                # Alternate who goes first, so drift (caches, thermal) does not favour one side.
                for server in (a, b) if (r + size + connections) % 2 == 0 else (b, a):
                    sample = measure(server, size, connections, results.seconds, token, gate)
                    sample.round = r + 1
                    results.samples.append(sample)
                    w = sample.wrk
                    print(
                        f"  round {r + 1} {server.name[0]} first={size:<3} c={connections:<2}"
                        f" {w.rps:>8.1f} req/s  p50 {w.p50_ms:>7.2f} ms  p99 {w.p99_ms:>7.2f} ms"
                        f"  cpu {sample.server_cpu_ms:>6.2f} ms/req"
                        f"  other load {sample.other_cores:.2f} cores",
                        flush=True,
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=6, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternated A/B rounds")
    parser.add_argument("--no-report", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args()
    require_wrk()
    results = Results(seconds=args.seconds, rounds=args.rounds, code=code_state())

    print("== data", flush=True)
    asyncio.run(seed_bulk.seed())
    token, deep_token = asyncio.run(sessions())
    smtp_port = free_port()
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    a = start_api(A_PORT, app_env(port=A_PORT, smtp_port=smtp_port), logs / "api.log")
    b = start_handwritten(B_PORT, logs / "handwritten.log")
    print(f"== servers (logs in {logs})", flush=True)
    with running(a, b):
        print("== byte comparison of A and B", flush=True)
        answers = compare(a, b, token)
        results.response_bytes = {size: len(answers[size]) for size in PAGE_SIZES}
        print("== floor (in-process, no database, no HTTP)", flush=True)
        results.floor = floor(answers, seconds=2)
        for size in PAGE_SIZES:
            cpu = results.floor_cpu_ms(size)
            print(f"  first={size:<3} {cpu:>7.2f} ms CPU per execution, bytes = A's", flush=True)
        print("== compiled plans beside the floor (in-process)", flush=True)
        results.compiled = compiled(answers)
        for size, row in results.compiled["sizes"].items():
            print(
                f"  first={size:<3} floor {row['floor_cpu_ms']:>7.2f} ms, compiled"
                f" {row['compiled_cpu_ms']:>7.2f} ms CPU per execution",
                flush=True,
            )
        counter, results.checkouts = asyncio.run(roundtrips.count())
        results.roundtrips = dict(counter)
        print(f"  A: {sum(counter.values())} round trips per request: {dict(counter)}", flush=True)
        results.read_cpu_ms = asyncio.run(roundtrips.read_cpu())
        for size, ms in results.read_cpu_ms.items():
            print(f"  A: first={size:<3} the request's reads take {ms:.2f} ms CPU", flush=True)
        print("== dashboard under wrk", flush=True)
        gate = QuietGate(budget=240)
        load(a, b, token, results, gate)
        print("== deep pages", flush=True)
        gate.wait(a.workers() + bench_backends(), patience=60)
        results.deep = deep.run(a, deep_token, seconds=min(args.seconds, 5), rounds=3)
        print("== login throughput", flush=True)
        gate.wait(a.workers() + bench_backends(), patience=60)
        results.login = asyncio.run(
            login.run(a, smtp_port, concurrency=16, seconds=max(args.seconds, 8))
        )
        results.waited = gate.waited
    results.finished = time.time()
    text = report.render(results)
    print(report.summary(results))
    if not args.no_report:
        path = ROOT / "docs" / "performance.md"
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
