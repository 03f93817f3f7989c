"""A real TCP proxy on 127.0.0.1 in front of a server (PostgreSQL in the tests),
switchable between the ways a network path to a database fails.

- `forward`: bytes flow both ways.
- `refuse`: nothing listens (connection refused); open connections are reset.
- `reset`: connections are accepted and reset at once; open ones are reset.
- `blackhole`: connections are accepted and bytes are held, never delivered or
  answered (a partition); open connections fall silent the same way. Going back
  to `forward` delivers what was held, as a healed partition would.

It runs on its own thread and event loop, like a network the app's loop cannot
see: its calls are synchronous and take effect before they return.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from typing import Any, Literal

Mode = Literal["forward", "refuse", "reset", "blackhole"]


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST rather than FIN, as a crashed server's host answers."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class _Link:
    """One client connection and its upstream connection."""

    def __init__(self, proxy: TcpProxy, client: asyncio.StreamWriter) -> None:
        self.proxy = proxy
        self.client = client
        self.upstream: asyncio.StreamWriter | None = None

    async def pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                # Held while the path is silent; delivered when it heals.
                await self.proxy._flowing.wait()
                if self.proxy.mode != "forward":
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self.close()

    def close(self) -> None:
        for writer in (self.client, self.upstream):
            if writer is not None and not writer.is_closing():
                writer.close()

    def reset(self) -> None:
        for writer in (self.client, self.upstream):
            if writer is not None:
                _reset(writer)


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.mode: Mode = "forward"
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._flowing: asyncio.Event

    def start(self) -> None:
        self._thread.start()
        self._call(self._start())

    def set_mode(self, mode: Mode) -> None:
        self._call(self._set_mode(mode))

    def stop(self) -> None:
        self._call(self._set_mode("reset"))
        self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def _call(self, coroutine: Any) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    async def _start(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        await self._listen()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _set_mode(self, mode: Mode) -> None:
        previous, self.mode = self.mode, mode
        if mode == "blackhole":
            self._flowing.clear()
        else:
            self._flowing.set()
        if mode in ("refuse", "reset"):
            for link in list(self._links):
                link.reset()
        if mode == "refuse" and self._server is not None:
            self._server.close()
            self._server = None
        if previous == "refuse" and mode != "refuse":
            await self._listen()

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "reset":
            _reset(writer)
            return
        link = _Link(self, writer)
        self._links.add(link)
        try:
            # A silent path: the handshake never reaches the server.
            await self._flowing.wait()
            if self.mode != "forward":
                link.reset()
                return
            try:
                up_reader, up_writer = await asyncio.open_connection(
                    self.upstream_host, self.upstream_port
                )
            except OSError:
                link.reset()
                return
            link.upstream = up_writer
            await asyncio.gather(
                link.pump(reader, up_writer), link.pump(up_reader, writer), return_exceptions=True
            )
        finally:
            self._links.discard(link)
            link.close()
