"""A real HTTP server that serves media files, playing a channel's media host (Twilio, a widget upload)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The smallest files whose first bytes say what they are.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.4\n%fake spj\n" + b"0" * 100 + b"\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 100


class MediaServer:
    def __init__(self) -> None:
        self.files: dict[str, tuple[str, bytes]] = {}
        self.url = ""

    def add(self, name: str, content_type: str, body: bytes) -> str:
        self.files[f"/{name}"] = (content_type, body)
        return f"{self.url}/{name}"

    @contextmanager
    def running(self) -> Iterator[MediaServer]:
        files = self.files

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # http.server names it so
                found = files.get(self.path)
                if found is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                content_type, body = found
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
