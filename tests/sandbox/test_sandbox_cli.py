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
