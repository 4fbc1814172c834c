"""`airflow social auth yandex` as a real command: registered in the CLI, writes the tokens into the metadata DB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

AIRFLOW = str(Path(sys.executable).parent / "airflow")


def test_device_flow_writes_the_connection(sandbox, tmp_path):
    sandbox.state.clock.unfreeze()  # the command polls on the real clock (5 s, Yandex's interval)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")}
    env.update(AIRFLOW_HOME=str(tmp_path), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__LOGGING__LOGGING_LEVEL="ERROR")
    run = {"env": env, "capture_output": True, "text": True, "timeout": 300}
    subprocess.run([AIRFLOW, "db", "migrate"], check=True, **run)
    extra = {"oauth_base_url": f"{sandbox.base_url}/yandex-oauth", "api_base_url": f"{sandbox.base_url}/yandex-disk"}
    subprocess.run([AIRFLOW, "connections", "add", "yd", "--conn-type", "yandex_disk", "--conn-extra",
                    json.dumps(extra)], check=True, **run)
    command = [AIRFLOW, "social", "auth", "yandex", "--conn-id", "yd", "--client-id", "sandbox-client",
               "--client-secret", "sandbox-secret"]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        line = ""
        while "enter the code" not in line:
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else "no output"
        sandbox.control.approve_device("yandex", line.split("enter the code ")[1].split()[0])
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Updated connection 'yd'" in out
    shown = subprocess.run([AIRFLOW, "connections", "get", "yd", "-o", "json"], check=True, **run).stdout
    conn = json.loads(shown)[0]
    stored_extra = json.loads(conn["extra_dejson"]) if isinstance(conn["extra_dejson"], str) else conn["extra_dejson"]
    assert conn["password"].startswith("y0_") and stored_extra["refresh_token"].startswith("1:")
    assert stored_extra["oauth_base_url"] == extra["oauth_base_url"]  # the rest of the connection is kept
    assert conn["password"] not in out + err  # the tokens went to the database, not to the terminal
