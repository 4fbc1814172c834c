"""`make ui` (scripts/ui.py) as a user runs it: it prints the URL and the login, the printed login opens the API,
the sandbox's connections are in the metadata DB and on the plugin's page, the plugin's callback leaves no code or
state in the API server's real access log, and SIGINT stops every process it started (exit 0, no orphan)."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
import requests

from scripts.local_airflow import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"yandex_disk", "twitter", "vk", "vk_vision", "odnoklassniki"}


def _lines(stream) -> queue.Queue:
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _read_until(lines: queue.Queue, pattern: str, seen: list[str], timeout: float) -> re.Match:
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"no line matching {pattern!r} within {timeout}s; output:\n" + "\n".join(seen))
        if line is None:
            raise AssertionError("scripts/ui.py ended early; output:\n" + "\n".join(seen))
        seen.append(line)
        if match := re.search(pattern, line):
            return match


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _processes_in_groups(groups: set[int]) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) in groups and _alive(proc):
                found.append(proc)
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return found


def _check_the_running_ui(lines: queue.Queue, seen: list[str], port: int, home: Path,
                          script: subprocess.Popen, family: list[psutil.Process]) -> None:
    """What a user sees while `make ui` runs; records the script's process family as it goes."""
    url = _read_until(lines, r"^Airflow UI:\s+(\S+)", seen, timeout=600).group(1)
    user, password = _read_until(lines, r"^Login:\s+(\S+) / (\S+)", seen, timeout=30).groups()
    sandbox_url = _read_until(lines, r"^Sandbox:\s+(\S+)", seen, timeout=30).group(1)
    cli_line = _read_until(lines, r"^CLI:\s+(.+)$", seen, timeout=30).group(1)
    assert url == f"http://127.0.0.1:{port}"
    assert f"AIRFLOW_HOME={home}" in cli_line and f"--sandbox {sandbox_url}" in cli_line
    # The CLI, run as the printed line says (no Fernet key in its environment), reads the connections the UI
    # stored: they are encrypted with the key kept in the home's airflow.cfg.
    cli_env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    cli_env["AIRFLOW_HOME"] = str(home)
    shown = subprocess.run([str(Path(sys.executable).parent / "airflow"), "connections", "get", "vk_vision_default",
                            "-o", "json"], env=cli_env, capture_output=True, text=True, timeout=180)
    assert shown.returncode == 0 and "FERNET_KEY" not in shown.stderr, shown.stderr[-2000:]
    assert sandbox_url in shown.stdout
    family += [psutil.Process(script.pid), *psutil.Process(script.pid).children(recursive=True)]
    # the script, the sandbox and the four Airflow components, each in its own process group
    assert len({os.getpgid(p.pid) for p in family}) >= 6

    assert requests.get(f"{url}/social-auth/", timeout=30).status_code == 401  # a login, not "all admins"
    login = requests.post(f"{url}/auth/token", json={"username": user, "password": password}, timeout=60)
    assert login.status_code == 201, login.text
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}

    listed = requests.get(f"{url}/api/v2/connections", params={"limit": 100}, headers=auth, timeout=60).json()
    conns = {c["connection_id"]: c for c in listed["connections"]}
    assert {c["conn_type"] for c in conns.values()} >= SERVICES
    assert all(sandbox_url in (c["extra"] or "") for c in conns.values())  # pointed at this sandbox
    page = requests.get(f"{url}/social-auth/", headers=auth, timeout=60)
    assert page.status_code == 200 and all(conn_id in page.text for conn_id in conns)
    tested = requests.post(f"{url}/api/v2/connections/test", headers=auth, timeout=120,
                           json={"connection_id": "vk_vision_default", "conn_type": "vk_vision"})
    assert tested.status_code == 200 and tested.json()["status"] is True, tested.text  # test_connection on

    # The callback with a (refused) code and state: the real API server's access log must not carry them.
    refused = requests.get(f"{url}/social-auth/callback", params={"code": "spent-code-9b1e", "state": "st-44ac"},
                           headers=auth, timeout=60)
    assert refused.status_code == 400
    log = home / "api-server.out"
    deadline = time.monotonic() + 60
    while "/social-auth/callback" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.5)  # the server writes the access line after the response
    text = log.read_text()
    assert "/social-auth/callback" in text and "code=***&state=***" in text, text[-3000:]
    assert "spent-code-9b1e" not in text and "st-44ac" not in text



def test_make_ui_serves_the_sandbox_connections_and_stops_cleanly_on_sigint(tmp_path):
    port = free_port()
    home = tmp_path / "airflow_ui"
    script = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "ui.py"), "--port", str(port), "--home", str(home)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
        start_new_session=True,  # its own group, so the orphan check below can look at it too
    )
    lines, seen = _lines(script.stdout), []
    family: list[psutil.Process] = []
    try:
        _check_the_running_ui(lines, seen, port, home, script, family)
    finally:
        # Also after a failed assertion: the script stops what it started; then nothing of it may be left.
        groups = {os.getpgid(p.pid) for p in family if _alive(p)}
        script.send_signal(signal.SIGINT)
        try:
            code = script.wait(120)
        finally:
            leftovers = [p for p in family if _alive(p)] + _processes_in_groups(groups)
            for proc in leftovers:
                proc.kill()
    assert code == 0, "\n".join(seen)
    assert not leftovers, [p.pid for p in leftovers]
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the next run's API server will
        s.bind(("127.0.0.1", port))  # nothing listens there any more


def test_make_ui_refuses_a_taken_port_in_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "ui.py"), "--port", str(port), "--home", str(tmp_path / "h")],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"make ui: port {port} on 127.0.0.1 is already in use; pick another: make ui PORT={port + 1}"]
    assert result.stdout == "" and not (tmp_path / "h").exists()  # nothing started
