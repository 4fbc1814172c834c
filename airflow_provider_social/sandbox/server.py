"""Running the sandbox: on the command line (``python -m airflow_provider_social.sandbox``) or in a thread.

Two listeners share one state: the API (control API and every API service) and the storage listener (Yandex
Disk's upload and download hosts, VK's upload servers, on another port) -- so tests can see that no API credential
reaches storage.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from airflow_provider_social.core.loopback import is_loopback

from .app import create_app
from .control import SandboxControl
from .registry import DEFAULT_SERVICES
from .state import SandboxState


class _Server(uvicorn.Server):
    """uvicorn.Server that reports once its sockets are listening."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_started()


def _bind(host: str, port: int) -> socket.socket:
    # Binding ourselves means the real port is known before uvicorn starts, even for port 0.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _configs(state: SandboxState, log_level: str, storage_url: str) -> tuple[uvicorn.Config, uvicorn.Config]:
    """(API, storage) configs; the API app's hrefs to uploads and downloads point at ``storage_url``."""
    api = create_app(state, listener="api")
    api.state.storage_base_url = storage_url
    storage = create_app(state, listener="storage")
    storage.state.storage_base_url = storage_url
    # date_header=False: the app sets Date from the sandbox clock (see app.SandboxDateMiddleware).
    options: dict[str, Any] = {"log_level": log_level, "lifespan": "off", "access_log": False, "date_header": False}
    return uvicorn.Config(api, **options), uvicorn.Config(storage, **options)


def _start(config: uvicorn.Config, sock: socket.socket, name: str, timeout: float) -> tuple[_Server, threading.Thread]:
    started = threading.Event()
    server = _Server(config, on_started=started.set)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
    thread.start()
    if not started.wait(timeout):
        server.should_exit = True
        raise RuntimeError(f"sandbox {name} did not start")
    return server, thread


@dataclass
class RunningSandbox:
    base_url: str
    state: SandboxState
    control: SandboxControl
    _server: _Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    storage_url: str = ""  # the upload/download listener (hrefs point here)
    _storage: tuple[_Server, threading.Thread] | None = field(default=None, repr=False)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        if self._storage is not None:
            self._storage[0].should_exit = True
            self._storage[1].join(timeout)
        self._thread.join(timeout)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_in_thread(
    host: str = "127.0.0.1", port: int = 0, state: SandboxState | None = None, startup_timeout: float = 30.0,
    *, storage_host: str | None = None, storage_port: int = 0,
) -> RunningSandbox:
    """Start the sandbox (API and storage listeners) on background threads; return once both accept connections.

    :param storage_host: address of the storage listener (default: ``host``; ``127.0.0.2`` works on Linux).
    :param storage_port: its port (0: a free one).
    """
    state = state or SandboxState(DEFAULT_SERVICES)
    sock = _bind(host, port)
    storage_host = storage_host or host
    storage_sock = _bind(storage_host, storage_port)
    storage_url = _url(storage_host, storage_sock)
    api_config, storage_config = _configs(state, "warning", storage_url)
    storage = _start(storage_config, storage_sock, "sandbox-storage", startup_timeout)
    try:
        server, thread = _start(api_config, sock, "sandbox-uvicorn", startup_timeout)
    except RuntimeError:
        storage[0].should_exit = True
        raise
    base_url = _url(host, sock)
    return RunningSandbox(base_url, state, SandboxControl(base_url), server, thread, storage_url, storage)


def _emit_connections(url: str, write: bool, print_lines: bool) -> None:
    from airflow_provider_social.sandbox.connections import emit_connections, sandbox_connections
    from airflow_provider_social.sandbox.control import SandboxControl

    emit_connections(sandbox_connections(url, SandboxControl(url)), write=write, print_lines=print_lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m airflow_provider_social.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--storage-host", default=None, help="storage listener address (default: --host)")
    parser.add_argument("--storage-port", type=int, default=0, help="storage listener port (default: a free one)")
    parser.add_argument("--log-level", default="warning")
    parser.add_argument("--allow-non-loopback", action="store_true", help="listen on a non-loopback address (no auth!)")
    # As `airflow social sandbox` has them (docs/sandbox.md offers either form).
    parser.add_argument("--print-connections", action="store_true",
                        help="print AIRFLOW_CONN_* lines for every connection type, pointing at this sandbox")
    parser.add_argument("--write-connections", action="store_true",
                        help="create or update those connections in the metadata database")
    args = parser.parse_args(argv)
    storage_host = args.storage_host or args.host
    for host in (args.host, storage_host):
        if not is_loopback(host) and not args.allow_non_loopback:
            parser.error(f"{host} is not a loopback address; pass --allow-non-loopback to insist")
    sock = _bind(args.host, args.port)
    url = _url(args.host, sock)
    storage_sock = _bind(storage_host, args.storage_port)
    storage_url = _url(storage_host, storage_sock)
    api_config, storage_config = _configs(SandboxState(DEFAULT_SERVICES), args.log_level, storage_url)
    storage, storage_thread = _start(storage_config, storage_sock, "sandbox-storage", 30.0)

    def announce() -> None:
        print(f"SANDBOX_URL={url}", flush=True)  # first line: what scripts wait for
        print(f"SANDBOX_STORAGE_URL={storage_url}", flush=True)
        if args.print_connections or args.write_connections:
            # From a thread: minting their tokens calls this very server's control API.
            threading.Thread(target=_emit_connections, args=(url, args.write_connections, args.print_connections),
                             name="sandbox-connections", daemon=True).start()

    try:
        _Server(api_config, on_started=announce).run(sockets=[sock])
    finally:
        storage.should_exit = True
        storage_thread.join(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
