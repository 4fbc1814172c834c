"""``python -m airflow_provider_social.sandbox`` as a real process."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

# Starts the sandbox CLI as a process.
pytestmark = pytest.mark.slow


def test_port_zero_prints_url_and_serves():
    command = [sys.executable, "-m", "airflow_provider_social.sandbox", "--host", "127.0.0.1", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            line = proc.stdout.readline().strip()  # printed only once the socket is listening
            assert line.startswith("SANDBOX_URL=http://127.0.0.1:"), line
            url = line.split("=", 1)[1]
            assert requests.get(f"{url}/_control/health", timeout=10).json() == {"ok": True}
        finally:
            proc.terminate()
            _out, err = proc.communicate(timeout=20)
    assert "Traceback" not in err, err


def test_non_loopback_host_is_refused():
    result = subprocess.run(
        [sys.executable, "-m", "airflow_provider_social.sandbox", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "loopback" in result.stderr


def test_module_form_accepts_print_connections_as_the_airflow_command_does():
    """docs/sandbox.md offers the module as the same as `airflow social sandbox --print-connections`; it refused
    the option ("unrecognized arguments")."""
    import json
    import shlex

    from airflow_provider_social.sandbox.connections import sandbox_settings

    command = [sys.executable, "-m", "airflow_provider_social.sandbox", "--port", "0", "--print-connections"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            url = proc.stdout.readline().strip().split("=", 1)[1]
            lines = [proc.stdout.readline().strip() for _ in range(1 + len(sandbox_settings(url)))]
            conns = dict(line.split("=", 1) for line in lines[1:])
            assert lines[0].startswith("SANDBOX_STORAGE_URL=") and "AIRFLOW_CONN_VK_DEFAULT" in conns, lines
            vk = json.loads(shlex.split(conns["AIRFLOW_CONN_VK_DEFAULT"])[0])
            assert vk["conn_type"] == "vk" and vk["extra"]["api_base_url"].startswith(url)
            answer = requests.get(f"{vk['extra']['api_base_url']}/method/users.get", timeout=10,
                                  params={"access_token": vk["extra"]["access_token"], "v": "5.199"}).json()
            assert answer.get("response"), answer  # the printed token works on this sandbox
        finally:
            proc.terminate()
            _out, err = proc.communicate(timeout=20)
    assert "Traceback" not in err, err
