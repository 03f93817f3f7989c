"""A real HTTP receiver on 127.0.0.1 for webhooks: it verifies every request with
`standardwebhooks` as a merchant's server would, and answers as a script says."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

# An answer in a script: a status code, or TIMEOUT (no answer until the sender gives up).
TIMEOUT = "timeout"


@dataclass(frozen=True)
class Received:
    webhook_id: str
    body: dict[str, Any]
    path: str

    @property
    def type(self) -> str:
        return str(self.body["type"])

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.body["data"])


class WebhookReceiver:
    """Keeps every verified request; answers with `script`'s next entry, then `status`."""

    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.received: list[Received] = []
        self.refused: list[str] = []
        self.script: list[int | str] = []
        self.status = 200
        self.hang = 2.0
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                headers = {key: value for key, value in self.headers.items()}
                try:
                    body = Webhook(receiver.secret).verify(raw, headers)
                except WebhookVerificationError as error:
                    receiver.refused.append(str(error))
                    self._answer(401)
                    return
                with lock:
                    receiver.received.append(Received(headers["webhook-id"], body, self.path))
                    answer = receiver.script.pop(0) if receiver.script else receiver.status
                if answer == TIMEOUT:
                    time.sleep(receiver.hang)
                    answer = 200
                self._answer(int(answer))

            def _answer(self, status: int) -> None:
                payload = b'{"ok": true}' if status < 300 else b"receiver trouble"
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output quiet

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
