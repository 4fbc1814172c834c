"""Real stores for the source tests: an HTTP file server in a thread, and moto's S3-compatible server in a process.

The HTTP server serves ``files`` (URL path -> bytes) the ways servers differ: ``/sized/...`` with Content-Length and
``Range`` support, ``/chunked/...`` with neither (the body ends when the connection closes), ``/nohead/...``
refusing HEAD with 405, and ``/norange/...`` ignoring ``Range``. It records each request's method and headers.
"""

from __future__ import annotations

import os
from http.server import BaseHTTPRequestHandler

from scripts.local_airflow import MotoServer  # noqa: F401 - the tests' S3 server is the one `make demo` starts
from tests.core.scripted_server import LoopbackServer

#: The bucket the suite's S3 server holds, and the connection id Airflow's object storage knows it by.
BUCKET = "media"
S3_CONN_ID = "moto_s3"

class FileServer(LoopbackServer):
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, with_body: bool) -> None:
                mode, _, name = self.path.lstrip("/").partition("/")
                name = name.split("?", 1)[0]
                server.requests.append((self.command, self.path, dict(self.headers)))
                data = server.files.get(name)
                if data is None or (mode == "nohead" and not with_body):
                    self.send_response(404 if data is None else 405)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                start = 0
                ranged = self.headers.get("Range", "")
                if ranged.startswith("bytes=") and mode == "sized":
                    start = int(ranged[6:].split("-")[0])
                self.send_response(206 if start else 200)
                if mode == "chunked":
                    self.send_header("Connection", "close")  # no length: the body ends with the connection
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(len(data) - start))
                    if start:
                        self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                if with_body:
                    view = memoryview(data)[start:]
                    for offset in range(0, len(view), 1 << 20):
                        self.wfile.write(view[offset:offset + (1 << 20)])

            def do_GET(self) -> None:
                self._answer(True)

            def do_HEAD(self) -> None:
                self._answer(False)

            def log_message(self, *args) -> None:
                pass

        Handler.protocol_version = "HTTP/1.1"
        self.serve(Handler)


def put_video(fs, key: str, size: int, *, conn_id: str = "moto_s3") -> str:
    """An MP4-headed object of ``size`` random bytes at ``key`` (``bucket/...``) of the fsspec filesystem ``fs``,
    written in 1 MiB blocks (never whole in memory); returns its ``s3://<conn_id>@<key>`` URL."""
    block = os.urandom(1 << 20)
    with fs.open(key, "wb", block_size=8 << 20) as out:
        out.write(b"\x00\x00\x00\x18ftypmp42")
        written = 12
        while written < size:
            piece = block[: min(len(block), size - written)]
            out.write(piece)
            written += len(piece)
    return f"s3://{conn_id}@{key}"
