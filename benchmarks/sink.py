"""A loopback server that moves bytes as fast as the kernel allows, so transfer benchmarks measure the clients.

The sandbox is a strict emulator: it hashes every uploaded byte (md5 + sha256, as Yandex reports them) and serves
downloads through Starlette, which caps a 2-core machine at a few hundred MB/s for *every* client. Measured
against it, our client and the reference both hit the sandbox's ceiling and the ratio is noise. This sink speaks
just enough of the Yandex Disk REST API for an upload or a download (the link, the metadata, the disk info) and
then discards uploads with ``recv_into`` into one reused buffer and serves downloads with ``sendfile``, so the
number is what the client itself can do. The correctness of the same client code is the sandbox's and the test
suite's business, not this file's.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

BUFFER = 1024 * 1024


class Sink:
    """``with Sink(files) as sink:`` serves ``sink.url``; ``files`` maps disk paths to local files to download."""

    def __init__(self, files: dict[str, Path] | None = None) -> None:
        self.files = dict(files or {})
        self.received: dict[str, int] = {}
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._ids = iter(range(1, 1 << 30))
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> Sink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sock.close()

    # -------------------------------------------------------------------------------------------------- server
    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = bytearray(BUFFER)
        view = memoryview(buffer)
        with conn, conn.makefile("rb", buffering=BUFFER) as rfile:
            while True:
                line = rfile.readline()
                if not line:
                    return
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers = {}
                while (header := rfile.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = header.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                if headers.get("transfer-encoding", "").lower() == "chunked":
                    received = _discard_chunked(rfile, view)
                else:
                    received = _discard(rfile, view, int(headers.get("content-length", "0")))
                if received is None:
                    return
                self._answer(conn, method, target, received)

    def _answer(self, conn: socket.socket, method: str, target: str, received: int) -> None:
        url = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = query.get("path", "")
        if method == "PUT" and url.path.startswith("/upload/"):
            with self._lock:
                self.received[url.path] = received
            return _send(conn, 201, b"")
        if method == "GET" and url.path.startswith("/download/"):
            return self._send_file(conn, self.files[url.path[len("/download/"):]])
        if url.path == "/v1/disk":
            return _send_json(conn, {"total_space": 1 << 50, "used_space": 0, "trash_size": 0,
                                     "max_file_size": 1 << 40, "user": {"login": "bench"}})
        if url.path == "/v1/disk/resources/upload":
            with self._lock:
                href = f"{self.url}/upload/{next(self._ids)}"
                self.last_upload = (path, href)
            return _send_json(conn, {"href": href, "method": "PUT", "templated": False,
                                     "operation_id": "bench"})
        if url.path == "/v1/disk/resources/download":
            return _send_json(conn, {"href": f"{self.url}/download/{path}", "method": "GET", "templated": False})
        if url.path == "/v1/disk/resources" and method == "PUT":  # a folder: nothing to keep, the sink has none
            return _send_json(conn, {"href": f"{self.url}/v1/disk/resources?path={path}", "method": "GET",
                                     "templated": False}, 201)
        if url.path == "/v1/disk/resources" and method == "GET":
            size = self._size_of(path)
            if size is None:
                return _send_json(conn, {"error": "DiskNotFoundError", "message": "not found",
                                         "description": "Resource not found."}, 404)
            digest = hashlib.md5(path.encode()).hexdigest()  # noqa: S324 - an id, not a checksum of the bytes
            return _send_json(conn, {"path": path, "name": path.rsplit("/", 1)[-1], "type": "file", "size": size,
                                     "md5": digest, "sha256": digest * 2})
        return _send_json(conn, {"error": "NotImplemented", "description": f"{method} {url.path}"}, 501)

    def _size_of(self, path: str) -> int | None:
        if path in self.files:
            return self.files[path].stat().st_size
        last = getattr(self, "last_upload", None)
        if last and last[0] == path:
            return self.received.get(urlsplit(last[1]).path)
        return None

    def _send_file(self, conn: socket.socket, local: Path) -> None:
        size = local.stat().st_size
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {size}\r\n\r\n")
        conn.sendall(head.encode())
        with open(local, "rb") as fh:
            offset = 0
            while offset < size:
                offset += os.sendfile(conn.fileno(), fh.fileno(), offset, size - offset)


def _discard(rfile, view: memoryview, length: int) -> int | None:
    """Read ``length`` body bytes into the reused buffer; None when the client went away first."""
    received = 0
    while received < length:
        n = rfile.readinto(view[: min(BUFFER, length - received)])
        if not n:
            return None
        received += n
    return received


def _discard_chunked(rfile, view: memoryview) -> int | None:
    """Read a ``Transfer-Encoding: chunked`` body (a streamed upload of unknown size); its size, or None when the
    client went away before the last chunk."""
    total = 0
    while True:
        line = rfile.readline()
        if not line:
            return None
        size = int(line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (trailer := rfile.readline()) not in (b"\r\n", b"\n"):
                if not trailer:
                    return None
            return total
        if _discard(rfile, view, size) is None or not rfile.readline():  # the chunk, then its CRLF
            return None
        total += size


def _send(conn: socket.socket, status: int, body: bytes, ctype: str = "application/json") -> None:
    reason = {200: "OK", 201: "Created", 404: "Not Found", 501: "Not Implemented"}[status]
    head = f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n"
    conn.sendall(head.encode() + body)


def _send_json(conn: socket.socket, data: dict, status: int = 200) -> None:
    _send(conn, status, json.dumps(data).encode())
