"""A login's CPU in one process: requestLoginCode then verifyLoginCode through the
ASGI app (httpx's ASGI transport, no sockets), on PostgreSQL (BENCH_DSN, seeded by
`python -m bench.login --seed`), the email rendered by the console backend.

    .venv/bin/python -m bench.login_cpu [--logins 300] [--profile out.prof]

Prints the process's CPU per login (the driver's share included), free of the
HTTP server, SMTP and the other processes that `bench.login` measures with them.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import random
import tempfile
import time

import httpx
import orjson

from adapters.mail import ConsoleEmailBackend
from adapters.sms import DisabledSmsBackend
from app.main import create_app
from bench.common import CUSTOMERS, SECRET_KEY, sqlalchemy_url
from bench.login import REQUEST, VERIFY
from config import Settings
from plumbing.runtime import build_runtime

HEADERS = {"content-type": "application/json"}


async def measure(logins: int, profile: str | None) -> float:
    settings = Settings(
        app_env="test",
        database_url=sqlalchemy_url(),
        secret_key=SECRET_KEY,
        login_requests_per_ip=10**8,
        var_dir=tempfile.gettempdir(),
    )
    mailer = ConsoleEmailBackend(settings.email_from, None)
    rt = build_runtime(settings, mailer=mailer, sms=DisabledSmsBackend())
    transport = httpx.ASGITransport(app=create_app(settings, runtime=rt))
    first = random.randrange(CUSTOMERS - logins - 50)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def login(n: int) -> None:
            email = f"customer{first + n}@bench.example"
            body = orjson.dumps({"query": REQUEST, "variables": {"email": email}})
            sent = await client.post("/graphql", content=body, headers=HEADERS)
            assert b'"userErrors":[]' in sent.content, sent.content
            await rt.courier.drain()
            code = mailer.sent[-1].subject.split()[0]
            variables = {"email": email, "code": code}
            body = orjson.dumps({"query": VERIFY, "variables": variables})
            verified = await client.post("/graphql", content=body, headers=HEADERS)
            assert b'"token"' in verified.content, verified.content

        for n in range(30):  # caches, pools, compiled statements
            await login(n)
        profiler = cProfile.Profile(time.process_time)
        started = time.process_time()
        if profile:
            profiler.enable()
        for n in range(30, 30 + logins):
            await login(n)
        profiler.disable()
        cpu = time.process_time() - started
    if profile:
        profiler.dump_stats(profile)
    await rt.db.dispose()
    return cpu / logins * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description="a login's CPU in one process")
    parser.add_argument("--logins", type=int, default=300)
    parser.add_argument("--profile", help="write cProfile stats (CPU time) here")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    ms = asyncio.run(measure(args.logins, args.profile))
    print(f"{ms:.1f} ms of CPU per login (request + verify), {args.logins} logins")


if __name__ == "__main__":
    main()
