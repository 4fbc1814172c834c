"""`airflow social auth twitter` as a real command: registered in the CLI, writes the tokens into the metadata DB."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.integration

AIRFLOW = str(Path(sys.executable).parent / "airflow")


def test_pkce_flow_writes_the_connection(sandbox, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")}
    env.update(AIRFLOW_HOME=str(tmp_path), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__LOGGING__LOGGING_LEVEL="ERROR")
    run = {"env": env, "capture_output": True, "text": True, "timeout": 300}
    subprocess.run([AIRFLOW, "db", "migrate"], check=True, **run)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    extra = {"api_base_url": f"{sandbox.base_url}/x-api", "authorize_url": f"{sandbox.base_url}/x/i/oauth2/authorize",
             "client_id": "sandbox-client", "client_secret": "sandbox-secret",
             "redirect_uri": f"http://127.0.0.1:{port}/callback", "upload_base_url": f"{sandbox.base_url}/x-upload"}
    subprocess.run([AIRFLOW, "connections", "add", "x", "--conn-type", "twitter", "--conn-extra", json.dumps(extra)],
                   check=True, **run)
    command = [AIRFLOW, "social", "auth", "twitter", "--conn-id", "x"]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        line = ""
        while "oauth2/authorize?" not in line:
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else "no output"
        browser = requests.get(line.strip(), allow_redirects=True, timeout=60)  # the sandbox approves at once
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert browser.status_code == 200 and "Authorised" in browser.text
    assert "Updated connection 'x'" in out
    shown = subprocess.run([AIRFLOW, "connections", "get", "x", "-o", "json"], check=True, **run).stdout
    conn = json.loads(shown)[0]
    stored = json.loads(conn["extra_dejson"]) if isinstance(conn["extra_dejson"], str) else conn["extra_dejson"]
    assert stored["access_token"].startswith("xat_") and stored["refresh_token"].startswith("xrt_")
    assert stored["upload_base_url"] == extra["upload_base_url"]  # the rest of the connection is kept
    assert stored["access_token"] not in out + err and stored["refresh_token"] not in out + err
    me = requests.get(f"{sandbox.base_url}/x-api/2/users/me",
                      headers={"Authorization": f"Bearer {stored['access_token']}"}, timeout=10)
    assert me.json()["data"]["username"] == "sandbox_user"
