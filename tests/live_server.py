"""The app served by uvicorn on 127.0.0.1, in the test's event loop.

Through httpx's ASGI transport a request ends when the app's call returns; a
real server answers as soon as the response is written, which is what tests of
work done after the response (deliveries) have to see.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.applications import Starlette


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The test owns the process's signals; `stop` stands in for SIGTERM.
        yield


class LiveServer:
    def __init__(self, app: Starlette, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, lifespan="on", log_config=None
        )
        self.server = _Server(config)
        self.task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Shut down as on SIGTERM: finish what was accepted, then the lifespan's end."""
        self.server.should_exit = True
        assert self.task is not None
        await self.task


@asynccontextmanager
async def serving(app: Starlette, port: int | None = None) -> AsyncIterator[LiveServer]:
    server = LiveServer(app, port)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
