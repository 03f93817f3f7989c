"""Login throughput: requestLoginCode, read the code from the mail, verifyLoginCode.

A Python driver (httpx, asyncio), not wrk: each login needs the code the API mailed.
The API delivers over SMTP (EMAIL_BACKEND=smtp) to an aiosmtpd sink served on this
process's event loop; the sink hands each code to the task waiting for that address.
Each login uses a different seeded customer, so the per-address code limit
(LOGIN_CODES_PER_WINDOW) never refuses one; the start is random, so a rerun within
the window picks other addresses.
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from aiosmtpd.smtp import SMTP, Envelope

from bench.common import CUSTOMERS, DSN
from bench.harness import Server, _backends, cpu_seconds

REQUEST = (
    "mutation($email: String!) { requestLoginCode(input: {email: $email})"
    " { userErrors { code message } } }"
)
VERIFY = (
    "mutation($email: String!, $code: String!) { verifyLoginCode(input: {email: $email,"
    " code: $code}) { session { token } userErrors { code message } } }"
)
# The subject of the login email: "{{ code }} is your {{ shop_name }} login code".
CODE = re.compile(rb"^Subject: (\d+) is your", re.MULTILINE)


class Sink:
    """An SMTP server that passes each login code to whoever waits for its address."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[str]] = {}
        self.received = 0

    def expect(self, address: str) -> asyncio.Future[str]:
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.waiting[address] = future
        return future

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.received += 1
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        found = CODE.search(content)
        for address in envelope.rcpt_tos:
            future = self.waiting.pop(address.lower(), None)
            if future is not None and not future.done():
                if found:
                    future.set_result(found.group(1).decode())
                else:
                    future.set_exception(AssertionError(f"no code in the mail to {address}"))
        return "250 OK"


@dataclass
class LoginResult:
    logins: int
    seconds: float
    failures: int
    p50_ms: float
    p99_ms: float
    cpu_ms_per_login: float
    # The rest of the machine's work per login: PostgreSQL's backends for the bench
    # database, and this driver (its httpx clients and the SMTP sink).
    db_cpu_ms_per_login: float = 0.0
    driver_cpu_ms_per_login: float = 0.0

    @property
    def per_second(self) -> float:
        return self.logins / self.seconds


async def gql(http: httpx.AsyncClient, url: str, query: str, variables: dict[str, str]) -> Any:
    response = await http.post(url, content=orjson.dumps({"query": query, "variables": variables}))
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise AssertionError(f"{response.status_code}: {response.content[:200]!r}") from None
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


async def run(
    api: Server, smtp_port: int, *, concurrency: int, seconds: float, warmup: float = 1.0
) -> LoginResult:
    sink = Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="bench-sink", decode_data=False), "127.0.0.1", smtp_port
    )
    numbers = iter(range(random.randrange(CUSTOMERS), 10**9))
    latencies: list[float] = []
    failures = 0
    start = time.perf_counter()
    measure_from = start + warmup
    stop = measure_from + seconds
    cpu = db_cpu = driver_cpu = 0.0

    async def login(http: httpx.AsyncClient) -> None:
        email = f"customer{1 + next(numbers) % CUSTOMERS}@bench.example"
        code = sink.expect(email)
        data = await gql(http, api.url, REQUEST, {"email": email})
        assert data["requestLoginCode"]["userErrors"] == [], data
        verified = await gql(
            http, api.url, VERIFY, {"email": email, "code": await asyncio.wait_for(code, 10)}
        )
        payload = verified["verifyLoginCode"]
        assert payload["userErrors"] == [] and payload["session"]["token"], payload

    async def worker() -> None:
        nonlocal failures
        limits = httpx.Limits(max_connections=1)
        headers = {"Content-Type": "application/json"}
        async with httpx.AsyncClient(limits=limits, timeout=30, headers=headers) as http:
            while (began := time.perf_counter()) < stop:
                try:
                    await login(http)
                except (AssertionError, TimeoutError, httpx.HTTPError) as error:
                    failures += 1
                    if failures <= 3:
                        print(f"  login failed: {error!r}"[:300], flush=True)
                    continue
                # Logins completed inside the window count, wherever they began.
                if measure_from <= (ended := time.perf_counter()) <= stop:
                    latencies.append(ended - began)

    async def mark() -> None:
        nonlocal cpu, db_cpu, driver_cpu
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        backends = set(await _backends())
        before = cpu_seconds(api.workers()), cpu_seconds(list(backends)), time.process_time()
        await asyncio.sleep(max(0.0, stop - time.perf_counter()))
        cpu = cpu_seconds(api.workers()) - before[0]
        driver_cpu = time.process_time() - before[2]
        # The pools grow during the run: a backend that was not there at the start
        # spent all its CPU inside the window.
        later = set(await _backends()) - backends
        db_cpu = cpu_seconds(list(backends)) - before[1] + cpu_seconds(list(later))

    try:
        await asyncio.gather(mark(), *(worker() for _ in range(concurrency)))
    finally:
        server.close()
        await server.wait_closed()
    latencies.sort()
    count = len(latencies)
    return LoginResult(
        logins=count,
        seconds=seconds,
        failures=failures,
        p50_ms=statistics.median(latencies) * 1000 if latencies else 0.0,
        p99_ms=latencies[int(count * 0.99) - 1] * 1000 if latencies else 0.0,
        cpu_ms_per_login=cpu / max(count, 1) * 1000,
        db_cpu_ms_per_login=db_cpu / max(count, 1) * 1000,
        driver_cpu_ms_per_login=driver_cpu / max(count, 1) * 1000,
    )


async def seed_customers() -> None:
    """Only what a login needs (the shop and the crowd of customers), for a database
    without the bulk orders: `python -m bench.login --seed`."""
    import asyncpg

    from bench.seed_bulk import CUSTOMERS_SQL, SHOP_SQL, create_database, migrate

    await create_database()
    migrate()
    conn = await asyncpg.connect(DSN)
    try:
        if not await conn.fetchval("SELECT count(*) FROM customer"):
            async with conn.transaction():
                await conn.execute(SHOP_SQL)
                await conn.execute(CUSTOMERS_SQL)
                await conn.execute(
                    "SELECT setval('customer_id_seq', (SELECT max(id) FROM customer))"
                )
    finally:
        await conn.close()


def main() -> None:
    """The login measurement alone, against `serve --workers 2` on BENCH_DSN:

    .venv/bin/python -m bench.login [--seed] [--seconds 10] [--concurrency 16]
    """
    import argparse
    import tempfile
    from pathlib import Path

    from bench.common import A_PORT, app_env, free_port
    from bench.harness import running, start_api

    parser = argparse.ArgumentParser(description="login throughput")
    parser.add_argument("--seed", action="store_true", help="migrate and seed customers first")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    if args.seed:
        asyncio.run(seed_customers())
    smtp_port = free_port()
    log = Path(tempfile.mkdtemp(prefix="bench-login-")) / "api.log"
    api = start_api(A_PORT, app_env(port=A_PORT, smtp_port=smtp_port), log)
    with running(api):
        result = asyncio.run(
            run(api, smtp_port, concurrency=args.concurrency, seconds=args.seconds)
        )
    print(
        f"{result.per_second:.1f} logins/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms,"
        f" {result.failures} failures, A CPU {result.cpu_ms_per_login:.1f} ms/login,"
        f" PostgreSQL {result.db_cpu_ms_per_login:.1f} ms/login,"
        f" driver {result.driver_cpu_ms_per_login:.1f} ms/login"
        f" (concurrency {args.concurrency}, {args.seconds:.0f} s; API log {log})"
    )


if __name__ == "__main__":
    main()
