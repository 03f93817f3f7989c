"""Command line: serve, migrate, seed, export-schema, demo, purge, worker, api-key."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import threading

from app.logs import configure_logging
from config import ConfigError, Settings, load_settings

log = logging.getLogger("cli")


async def _migrate(settings: Settings) -> None:
    from app.migrate import upgrade
    from models.database import Database

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    try:
        await upgrade(db.write_engine)
    finally:
        await db.dispose()


async def _seed(settings: Settings) -> bool:
    from demo.seed import seed_demo
    from plumbing.runtime import build_runtime

    rt = build_runtime(settings)
    try:
        return await seed_demo(rt)
    finally:
        await rt.db.dispose()


async def _purge(settings: Settings) -> dict[str, int]:
    from plumbing.runtime import build_runtime
    from services.housekeeping import purge

    rt = build_runtime(settings)
    try:
        return await purge(rt)
    finally:
        await rt.db.dispose()


async def _worker(settings: Settings, *, once: bool, check: bool) -> int:
    from app.worker import check as check_lag
    from app.worker import run_once, serve_worker
    from plumbing.runtime import build_runtime

    rt = build_runtime(settings)
    try:
        if check:
            report, healthy = await check_lag(rt)
            print(json.dumps(report), flush=True)
            return 0 if healthy else 1
        if once:
            await run_once(rt)
        else:
            await serve_worker(rt)
        return 0
    finally:
        await rt.webhooks.aclose()
        await rt.db.dispose()


def _demo_worker(settings: Settings) -> None:
    """The worker beside the demo API, in a thread with its own loop and database pool.

    A daemon: it ends with the server; a renewal cut short is reconciled on the next run.
    """

    async def loop() -> None:
        from app.worker import run_forever
        from plumbing.runtime import build_runtime

        rt = build_runtime(settings)
        try:
            await run_forever(rt, asyncio.Event())
        finally:
            await rt.webhooks.aclose()
            await rt.db.dispose()

    threading.Thread(target=lambda: asyncio.run(loop()), name="worker", daemon=True).start()


async def _api_key(settings: Settings, args: argparse.Namespace) -> int:
    from auth.api_keys import ApiKeyRefused, create_key, list_keys, revoke_key
    from plumbing.runtime import build_runtime

    rt = build_runtime(settings)
    try:
        if args.action == "create":
            issued = await create_key(rt, name=args.name, scopes=args.scope or [])
            print(f"id: {issued.key.id}\nscopes: {' '.join(issued.key.scopes)}")
            # The one time the secret is shown: only its hash is kept.
            print(f"key: {issued.token}", flush=True)
        elif args.action == "list":
            for row in await list_keys(rt):
                state = "revoked" if row.revoked_at else "active"
                used = row.last_used_at.isoformat() if row.last_used_at else "never"
                print(
                    f"{row.id}\t{row.name}\tcak_{row.prefix}_…\t{state}\t"
                    f"last used {used}\t{' '.join(row.scopes)}"
                )
        else:
            row = await revoke_key(rt, args.id)
            print(f"revoked {row.id} ({row.name})")
    except ApiKeyRefused as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        await rt.db.dispose()
    return 0


def _serve(settings: Settings, workers: int = 1) -> int:
    from app.serving import serve

    return serve(settings, workers)


def _demo(settings: Settings) -> None:
    asyncio.run(_migrate(settings))
    created = asyncio.run(_seed(settings))
    url = f"http://{settings.host}:{settings.port}/graphql"
    print(
        f"""
Customer Account API demo {"(demo data loaded)" if created else "(existing data kept)"}
  GraphiQL:  {url}
  Log in as a demo customer (ada@example.com, jean@example.com, grace@example.com):
    1. mutation {{ requestLoginCode(input: {{email: "ada@example.com"}})
         {{ userErrors {{ code message }} }} }}
    2. Read the code in this log (EMAIL_BACKEND=console) or in {settings.var_dir / "outbox"}/
    3. mutation {{ verifyLoginCode(input: {{email: "ada@example.com", code: "<code>"}})
         {{ session {{ token }} }} }}
    4. Send the token as the header  Authorization: Bearer <token>
""",
        file=sys.stderr,
        flush=True,
    )
    _demo_worker(settings)
    _serve(settings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="customer-account-api")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API (HOST, PORT)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (production: one per core; all state is in the database)",
    )
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("seed", help="load the demo store and customers")
    export = commands.add_parser("export-schema", help="print the customer schema as SDL")
    export.add_argument("--admin", action="store_true", help="the merchant schema instead")
    commands.add_parser("demo", help="migrate, seed and serve with demo data")
    commands.add_parser("purge", help="delete expired codes, links, sessions and keys (cron)")
    worker = commands.add_parser(
        "worker", help="renew due subscriptions and end fixed pauses (loop until SIGTERM)"
    )
    worker.add_argument("--once", action="store_true", help="run every job once and exit")
    worker.add_argument(
        "--check",
        action="store_true",
        help="print the oldest due item's age as JSON; exit 1 when past WORKER_MAX_LAG",
    )
    api_key = commands.add_parser("api-key", help="create, list and revoke merchant API keys")
    key_actions = api_key.add_subparsers(dest="action", required=True)
    create = key_actions.add_parser("create", help="create a key; its secret is shown once")
    create.add_argument("--name", required=True, help="what the key is for")
    create.add_argument(
        "--scope", action="append", help="a scope it grants, e.g. orders:write (repeatable)"
    )
    key_actions.add_parser("list", help="every key: id, name, prefix, state, last use, scopes")
    revoke = key_actions.add_parser("revoke", help="refuse a key from now on")
    revoke.add_argument("id", type=int, help="the key's id (see `api-key list`)")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)

    if args.command == "export-schema":
        from schema.admin import build_admin_schema
        from schema.customer import build_schema

        build = build_admin_schema if args.admin else build_schema
        sys.stdout.write(build(Settings(app_env="development")).as_str() + "\n")
    elif args.command == "migrate":
        asyncio.run(_migrate(settings))
        log.info("database migrated")
    elif args.command == "seed":
        created = asyncio.run(_seed(settings))
        log.info("demo data %s", "loaded" if created else "already present")
    elif args.command == "serve":
        if args.workers < 1:
            print("error: --workers must be at least 1", file=sys.stderr)
            return 2
        return _serve(settings, workers=args.workers)
    elif args.command == "demo":
        _demo(settings)
    elif args.command == "purge":
        deleted = asyncio.run(_purge(settings))
        log.info("purged %s", ", ".join(f"{count} {name}" for name, count in deleted.items()))
    elif args.command == "api-key":
        return asyncio.run(_api_key(settings, args))
    elif args.command == "worker":
        return asyncio.run(_worker(settings, once=args.once, check=args.check))
    return 0
