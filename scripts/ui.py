"""`make ui`: a local Airflow (api-server, scheduler, dag-processor, triggerer) on loopback with the sandbox and its
connections, to click through everything offline.

Steps: project-local AIRFLOW_HOME (``.airflow_ui/``; wiped on each start except the generated login) -> start the
sandbox (its own process) -> ``airflow db migrate`` -> every service's sandbox connection stored in the metadata DB
(so Admin -> Connections and the plugin's pages list them) -> start the components -> print the URL, the login and
the sandbox URL -> wait. Ctrl-C (SIGINT) or SIGTERM stops every process group it started and exits 0; a component
that dies on its own ends the script with status 1 and the path of its log. Opens no browser.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags_examples"
HOME = ROOT / ".airflow_ui"
USER = "admin"
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
sys.path.insert(0, str(ROOT))  # so `scripts.local_airflow` imports when run as a script

from scripts.local_airflow import LocalAirflow, start_sandbox, stop_process_groups  # noqa: E402


class Stop(Exception):
    """Ctrl-C or SIGTERM: stop everything and exit 0."""


class Signals:
    """SIGINT/SIGTERM raise :class:`Stop`, except inside :meth:`deferred` (while a process is being started and not
    yet recorded), where the stop waits until the process can be stopped with the others."""

    def __init__(self) -> None:
        self.received: int | None = None
        self._deferred = 0

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received = signum
        if not self._deferred:
            raise Stop

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        self._deferred += 1
        try:
            yield
        finally:
            self._deferred -= 1
        if self.received is not None:
            raise Stop


def port_taken(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something listens on the port (a socket left in TIME_WAIT by the last run does not count: the API
    server binds with SO_REUSEADDR too)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def fresh_home(home: Path) -> None:
    """Empty ``home`` but keep the generated login, so the password stays the same from one run to the next."""
    passwords = home / PASSWORDS_FILE
    kept = passwords.read_text() if passwords.exists() else None
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    if kept is not None:
        passwords.write_text(kept)


def read_password(home: Path) -> str | None:
    try:
        return json.loads((home / PASSWORDS_FILE).read_text()).get(USER)
    except (OSError, ValueError):
        return None


def say(line: str) -> None:
    print(line, flush=True)


def write_cli_config(home: Path, fernet_key: str) -> None:
    """The home's ``airflow.cfg`` with the Fernet key the components use, so the CLI run with this AIRFLOW_HOME
    reads and writes the same (encrypted) connections. A local development home: the key is kept beside the DB it
    encrypts, as Airflow itself does when it generates a config."""
    config = home / "airflow.cfg"
    config.write_text(f"[core]\nfernet_key = {fernet_key}\nload_examples = False\n", encoding="utf-8")
    config.chmod(0o600)


def run(port: int, home: Path, signals: Signals) -> int:
    from airflow_provider_social.sandbox.connections import sandbox_connections
    from airflow_provider_social.sandbox.control import SandboxControl

    fresh_home(home)
    cluster = LocalAirflow(home, DAGS, {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
        # A login (Airflow 3's simple auth manager), not "everyone is admin": the plugin's pages check the user.
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / PASSWORDS_FILE),
        # Nothing runs until you unpause or trigger a DAG in the UI.
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    }, port=port)
    write_cli_config(home, cluster.fernet_key)
    sandbox: subprocess.Popen | None = None
    try:
        with signals.deferred():
            sandbox, sandbox_url = start_sandbox(cluster.env, new_session=True)
        say(f"• sandbox listening at {sandbox_url}")
        say(f"• migrating the Airflow metadata database (SQLite in {home})")
        cluster.migrate()
        control = SandboxControl(sandbox_url)
        connections = sandbox_connections(sandbox_url, control)
        # The event-driven examples (docs/events.md) watch the sandbox community: its Long Poll is on here.
        control.configure("vk", longpoll_settings={"enabled": True, "api_version": "5.199", "events": [
            "market_order_new", "message_new", "wall_reply_new", "wall_post_new", "group_join"]})
        cluster.add_connections(connections)
        say(f"• connections stored in the metadata DB: {', '.join(sorted(connections))}")
        with signals.deferred():
            cluster.start(COMPONENTS, migrate=False)
        say(f"• starting {', '.join(COMPONENTS)} (logs: {home}/<component>.out)")
        cluster.wait_until_serving(timeout=300)
        password = cluster.wait_for("the generated login", lambda: read_password(home), timeout=60)
        say("")
        say(f"Airflow UI:   {cluster.url}")
        say(f"Login:        {USER} / {password}   (kept in {home / PASSWORDS_FILE})")
        say(f"Credentials:  {cluster.url}/social-auth/   (Admin -> Social credentials)")
        say(f"Sandbox:      {sandbox_url}")
        say(f"CLI:          AIRFLOW_HOME={home} {Path(sys.executable).parent / 'airflow'} social auth ... "
            f"--sandbox {sandbox_url}")
        say("Press Ctrl-C to stop.")
        while True:
            for name, proc in [*cluster.procs.items(), ("sandbox", sandbox)]:
                if proc.poll() is not None:
                    where = f"see {home}/{name}.out" if name != "sandbox" else "see the output above"
                    print(f"make ui: {name} exited with status {proc.returncode}; {where}", file=sys.stderr)
                    return 1
            time.sleep(1)
    except Stop:
        say("• stopping (Ctrl-C)")
        return 0
    except AssertionError as exc:  # LocalAirflow.wait_for: a component died or never answered
        print(f"make ui: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        cluster.stop()
        if sandbox is not None:
            stop_process_groups([sandbox])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/ui.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080, help="the API server's port (default: %(default)s)")
    parser.add_argument("--home", type=Path, default=HOME, help="AIRFLOW_HOME, wiped on start (default: %(default)s)")
    args = parser.parse_args(argv)
    if port_taken(args.port):
        print(f"make ui: port {args.port} on 127.0.0.1 is already in use; pick another: make ui PORT={args.port + 1}",
              file=sys.stderr)
        return 1
    signals = Signals()
    signals.install()
    try:
        return run(args.port, args.home.resolve(), signals)
    except Stop:  # a signal during the clean-up's first instant
        return 0


if __name__ == "__main__":
    sys.exit(main())
