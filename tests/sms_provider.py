"""A real HTTP server on 127.0.0.1 standing in for a Twilio-style SMS provider."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Received:
    path: str
    authorization: str | None
    form: dict[str, str]


class SmsProvider:
    """Keeps every POST it receives and answers with `status`, `delay` seconds
    after reading it (a slow provider; a long delay stands in for a hung one)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status = 201
        self.delay = 0.0
        self.answered = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                provider.received.append(
                    Received(
                        path=self.path,
                        authorization=self.headers.get("Authorization"),
                        form={key: values[0] for key, values in form.items()},
                    )
                )
                if provider.delay:
                    time.sleep(provider.delay)
                body = b'{"sid": "SM1", "status": "queued"}'
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                provider.answered += 1

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output quiet

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, user: str, password: str) -> str:
        """The endpoint with Basic-auth credentials, laid out like Twilio's."""
        path = f"/2010-04-01/Accounts/{user}/Messages.json"
        return f"http://{user}:{password}@127.0.0.1:{self.port}{path}"

    def __enter__(self) -> SmsProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
