"""`make demo`: run every example DAG in real Airflow against a fresh sandbox and show what they created.

Steps: project-local AIRFLOW_HOME (SQLite) -> `airflow db migrate` -> start the sandbox on a free loopback port ->
connections to it as AIRFLOW_CONN_* variables -> `airflow dags test` for each DAG in dags_examples/ -> summary of
the sandbox's "created" log -> stop the sandbox. Exits non-zero if anything fails.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags_examples"
HOME = ROOT / ".airflow_home"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))  # so `scripts.local_airflow` imports when run as a script

from scripts.local_airflow import MotoServer, start_sandbox  # noqa: E402


def dag_ids(path: Path) -> list[str]:
    """The dag_id literals declared in a file (every example declares its dag_id explicitly)."""
    ids = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.keyword) and node.arg == "dag_id" and isinstance(node.value, ast.Constant):
            ids.append(node.value.value)
    return ids


def airflow_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        AIRFLOW_HOME=str(HOME),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__LOGGING__LOGGING_LEVEL="WARNING",
        SOCIAL_TOKEN_LOCK_DIR=str(HOME / "locks"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def shorten(text: str, limit: int = 130) -> str:
    """``text`` within ``limit`` characters, cut after a whole JSON item or word and marked with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    for boundary in (", ", " "):
        cut = head.rfind(boundary)
        if cut > 0:
            return head[:cut + (1 if boundary == ", " else 0)] + " …"
    return head + "…"


def print_created(events: list[dict], most: int = 12) -> None:
    """What one DAG created in the sandbox (posts, uploads, tokens...), one line each."""
    for event in events[:most]:
        detail = event.get("data", {k: v for k, v in event.items() if k not in ("service", "kind", "at", "seq")})
        shown = shorten(json.dumps(detail, ensure_ascii=False))
        print(f"           {event.get('service')}: {event.get('kind')} {shown}")
    if len(events) > most:
        print(f"           ... and {len(events) - most} more")
    if not events:
        print("           (created nothing)")


#: What the S3 -> Disk example backs up: objects put into moto's S3 server before the DAGs run.
S3_BUCKET = "exports"
S3_OBJECTS = {
    "daily/orders.csv": b"day,orders\n" + b"".join(b"2026-01-01,%d\n" % n for n in range(200)),
    "daily/refunds.csv": b"day,refunds\n2026-01-01,3\n",
    "daily/images/banner.png": b"\x89PNG\r\n\x1a\n" + bytes(2048),
}
#: A public object of the same server: the report yandex_disk_backup fetches over plain http(s) (its Variable).
S3_PUBLIC_REPORT = ("published/daily-report.csv", b"day,visits\n2026-01-01,1200\n")


def start_s3() -> tuple[MotoServer, dict[str, object]]:
    """moto's S3 server on a free loopback port with :data:`S3_OBJECTS` in it, and the ``aws_default`` connection
    to it (the Amazon provider's form: keys as login/password, ``endpoint_url`` in the extra)."""
    import boto3

    server = MotoServer()
    options = {"endpoint_url": server.url, "region_name": "us-east-1"}
    client = boto3.client("s3", aws_access_key_id="demo", aws_secret_access_key="demo", **options)  # noqa: S106
    client.create_bucket(Bucket=S3_BUCKET)
    for key, body in S3_OBJECTS.items():
        client.put_object(Bucket=S3_BUCKET, Key=key, Body=body)
    key, body = S3_PUBLIC_REPORT
    client.put_object(Bucket=S3_BUCKET, Key=key, Body=body, ACL="public-read")
    return server, {"conn_type": "aws", "login": "demo", "password": "demo", "extra": options}


def main() -> int:
    from airflow_provider_social.sandbox.connections import sandbox_connections
    from airflow_provider_social.sandbox.control import SandboxControl

    shutil.rmtree(HOME, ignore_errors=True)
    HOME.mkdir()
    base_env = airflow_env({})
    print("• migrating the Airflow metadata database (SQLite in .airflow_home/)", flush=True)
    subprocess.run([str(BIN / "airflow"), "db", "migrate"], env=base_env, check=True, capture_output=True)
    sandbox, url = start_sandbox(base_env)
    print(f"• sandbox listening at {url}", flush=True)
    s3, s3_conn = start_s3()
    print(f"• S3 (moto_server) at {s3.url}: s3://{S3_BUCKET}/ holds {', '.join(sorted(S3_OBJECTS))} and the public "
          f"{S3_PUBLIC_REPORT[0]}", flush=True)
    failures: list[str] = []
    try:
        control = SandboxControl(url)
        conns = {**sandbox_connections(url, control), "aws_default": s3_conn}
        env = airflow_env({f"AIRFLOW_CONN_{cid.upper()}": json.dumps(c) for cid, c in conns.items()})
        env["AIRFLOW_VAR_YANDEX_DISK_BACKUP_REPORT_URL"] = f"{s3.url}/{S3_BUCKET}/{S3_PUBLIC_REPORT[0]}"
        print(f"• connections: {', '.join(sorted(conns))}", flush=True)
        seen = 0
        for path in sorted(DAGS.glob("*.py")):
            for dag_id in dag_ids(path):
                started = time.monotonic()
                log_path = HOME / f"{dag_id}.log"
                with open(log_path, "w") as log:
                    result = subprocess.run(
                        [str(BIN / "airflow"), "dags", "test", dag_id], env=env, stdout=log, stderr=subprocess.STDOUT
                    )
                took = time.monotonic() - started
                status = "ok" if result.returncode == 0 else "FAILED"
                print(f"  {status:6} {dag_id:40} {took:5.1f}s  (log: {log_path.relative_to(ROOT)})", flush=True)
                if result.returncode != 0:
                    failures.append(dag_id)
                    print("\n".join(log_path.read_text().splitlines()[-25:]), file=sys.stderr)
                created = control.created()
                print_created(created[seen:])
                seen = len(created)
        print("• everything the DAGs created in the sandbox:")
        counts = Counter((e.get("service"), e.get("kind")) for e in control.created())
        for (service, kind), n in sorted(counts.items()):
            print(f"  {service:14} {kind:24} × {n}")
        if not counts:
            print("  (nothing created)")
    finally:
        s3.close()
        sandbox.terminate()
        sandbox.wait(10)
    if failures:
        print(f"✗ {len(failures)} DAG(s) failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    print("✓ every example DAG succeeded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
