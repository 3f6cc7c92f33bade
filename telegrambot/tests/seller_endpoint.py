"""A seller's endpoint for the tests: a real HTTP server on 127.0.0.1 that checks the shop's signature.

Each test sets ``replies``: one (status, body, delay seconds) per request in
order, the last one repeated; ``trickle`` sends a body one byte at a time. A request whose signature does not verify with
``secret`` is answered 401, as a real endpoint should.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from catalog import dynamic_signing


@dataclass
class Seen:
    body: dict[str, Any]
    headers: dict[str, str]
    verified: bool


@dataclass
class SellerEndpoint:
    secret: str
    replies: list[tuple[int, bytes, float]] = field(
        default_factory=lambda: [(200, b'{"value": "KEY-1"}', 0.0)]
    )
    seen: list[Seen] = field(default_factory=list)
    trickle: float = 0.0  # seconds between the body's bytes (0: all at once)

    def __enter__(self) -> SellerEndpoint:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                header = self.headers.get(dynamic_signing.SIGNATURE_HEADER, "")
                ok = dynamic_signing.verify(endpoint.secret, header, raw, now=int(time.time()))
                with endpoint.lock:
                    index = len(endpoint.seen)
                    endpoint.seen.append(Seen(json.loads(raw), dict(self.headers), ok))
                status, body, delay = endpoint.replies[min(index, len(endpoint.replies) - 1)]
                if not ok:
                    status, body, delay = 401, b'{"error": "bad signature"}', 0.0
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if not endpoint.trickle:
                        self.wfile.write(body)
                    for index in range(len(body) if endpoint.trickle else 0):
                        self.wfile.write(body[index : index + 1])
                        self.wfile.flush()
                        time.sleep(endpoint.trickle)
                except OSError:
                    pass  # the shop stopped waiting (a timeout)

            def log_message(self, *args: object) -> None:
                pass

        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/issue"
