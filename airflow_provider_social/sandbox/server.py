"""Running the sandbox: on the command line (``python -m airflow_provider_social.sandbox``) or in a thread."""

from __future__ import annotations

import argparse
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import uvicorn

from airflow_provider_social.core.loopback import is_loopback

from .app import create_app
from .control import SandboxControl
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


def _config(state: SandboxState, log_level: str) -> uvicorn.Config:
    # date_header=False: the app sets Date from the sandbox clock (see app.SandboxDateMiddleware).
    return uvicorn.Config(
        create_app(state), log_level=log_level, lifespan="off", access_log=False, date_header=False
    )


@dataclass
class RunningSandbox:
    base_url: str
    state: SandboxState
    control: SandboxControl
    _server: _Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_in_thread(
    host: str = "127.0.0.1", port: int = 0, state: SandboxState | None = None, startup_timeout: float = 30.0
) -> RunningSandbox:
    """Start the sandbox on a background thread and return once it accepts connections."""
    state = state or SandboxState()
    sock = _bind(host, port)
    started = threading.Event()
    server = _Server(_config(state, "warning"), on_started=started.set)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="sandbox-uvicorn", daemon=True)
    thread.start()
    if not started.wait(startup_timeout):
        server.should_exit = True
        raise RuntimeError("sandbox server did not start")
    base_url = _url(host, sock)
    return RunningSandbox(base_url, state, SandboxControl(base_url), server, thread)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m airflow_provider_social.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--log-level", default="warning")
    parser.add_argument("--allow-non-loopback", action="store_true", help="listen on a non-loopback address (no auth!)")
    args = parser.parse_args(argv)
    if not is_loopback(args.host) and not args.allow_non_loopback:
        parser.error(f"{args.host} is not a loopback address; pass --allow-non-loopback to insist")
    sock = _bind(args.host, args.port)
    url = _url(args.host, sock)

    def announce() -> None:
        print(f"SANDBOX_URL={url}", flush=True)

    _Server(_config(SandboxState(), args.log_level), on_started=announce).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
