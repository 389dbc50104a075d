"""A tiny threaded HTTP server base for the fakes that play the outside world (Twilio, Rasa, …)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[[BaseHTTPRequestHandler, bytes], tuple[int, str, bytes]]


def json_body(status: int, body: Any) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(body).encode()


@contextmanager
def serve(handle: Handler, port: int = 0) -> Iterator[str]:
    """Run `handle(request, body) -> (status, content_type, body)` for every request; yields the base URL."""

    class RequestHandler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _dispatch(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, content_type, body = handle(self, self.rfile.read(length) if length else b"")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _dispatch

    server = ThreadingHTTPServer(("127.0.0.1", port), RequestHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
