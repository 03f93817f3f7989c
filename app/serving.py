"""Serving under uvicorn, and stopping cleanly: every accepted request finishes, exit 0.

What uvicorn does by itself on SIGTERM, and why each part is changed here:
- it closes idle keep-alive connections at once, so a request the client had
  just sent on one is reset unanswered; here an idle connection stays open for
  a short grace, answers what arrives with `Connection: close`, then closes;
- it re-raises the signal once shut down, so a clean stop exits "killed by
  SIGTERM" (rc -15), which supervisors count as a crash; here it exits 0;
- with several workers the parent keeps its copy of the listening socket open
  while the workers stop, so new connections queue where nobody will answer
  them; here the parent closes it first and new clients are refused at once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import Multiprocess

from config import Settings

log = logging.getLogger("serve")

# Long enough for a request already on the wire to arrive, short enough not to
# hold a deploy: each client sees "Connection: close" on its next response.
IDLE_GRACE_SECONDS = 1.0


class DrainingHttpProtocol(HttpToolsProtocol):
    """Closes idle keep-alive connections after a grace instead of at once."""

    draining = False

    def shutdown(self) -> None:
        if self.cycle is None or self.cycle.response_complete:
            self.draining = True
            self._unset_keepalive_if_required()
            self.loop.call_later(IDLE_GRACE_SECONDS, self._close_if_idle)
        else:
            self.cycle.keep_alive = False

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        if self.draining and self.cycle is not None:
            # Answered, then closed: the client's next request opens a new
            # connection, which the closed listener refuses.
            self.cycle.keep_alive = False

    def _close_if_idle(self) -> None:
        idle = self.cycle is None or self.cycle.response_complete
        if idle and not self.transport.is_closing():
            self.transport.close()


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            # Shut down gracefully already: nothing left for the signal to do.
            self._captured_signals.clear()


class _Supervisor(Multiprocess):
    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


def serve(settings: Settings, workers: int = 1) -> int:
    """Serve until SIGTERM or SIGINT; the exit status."""
    config = uvicorn.Config(
        # The factory form: each worker process builds its own app (and
        # database pool) from the environment, which `load_settings` checked.
        "app.main:create_app_from_env",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=settings.trust_proxy_headers,
        server_header=False,
        http=DrainingHttpProtocol,
        # A request past its deadline is cancelled anyway; past this, shutdown
        # stops waiting for it.
        timeout_graceful_shutdown=int(settings.request_timeout) + 2,
    )
    if workers > 1:
        _Supervisor(config, sockets=[config.bind_socket()]).run()
        return 0
    server = _Server(config)
    server.run()
    return 0 if server.started else 3
