"""The real Airflow UI in headless Chromium: the sandbox as its own process, a local Airflow (api-server,
scheduler, dag-processor; connection tests enabled) with the sandbox's connections stored in its DB, and
Playwright driving Debian's Chromium (``/usr/bin/chromium``, installed by ``make test``).

Without Chromium these tests fail, they do not skip: a developer without it deselects them with
``-m "not browser"``. Screenshots go to ``tests/browser/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SOCIAL_TEST_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium's many refused connections (loopback only here) slow it down.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
DAGS = Path(__file__).parent / "dags"
POST_DAG = "social_browser_post"
ONE_CLICK_CONN = "x_one_click"
WRONG_TOKEN_CONN = "x_wrong_token"
WRONG_TOKEN = "xat_not-a-token-of-the-sandbox"


@dataclass
class LocalUI:
    """What the browser tests reach: the Airflow UI, the sandbox, and the Airflow processes behind them."""

    url: str
    sandbox_url: str
    control: object
    cluster: object

    def stored_connection(self, conn_id: str) -> dict:
        """The connection exactly as the UI stored it (secrets decrypted with the cluster's Fernet key)."""
        rows = self.cluster.query(
            "select conn_type, password, extra, is_encrypted, is_extra_encrypted from connection where conn_id=?",
            conn_id)
        assert rows, f"connection {conn_id!r} is not in the metadata DB"
        conn_type, password, extra, encrypted, extra_encrypted = rows[0]
        if password and encrypted:
            password = self.cluster.decrypt(password)
        if extra and extra_encrypted:
            extra = self.cluster.decrypt(extra)
        return {"conn_type": conn_type, "password": password, "extra": json.loads(extra) if extra else {}}

    def run_post_dag(self, conn_id: str, text: str) -> str:
        """Trigger the posting DAG with ``conn_id`` and wait for a real worker to finish it; returns its state."""
        run_id = f"browser_{conn_id}"
        self.cluster.airflow("dags", "trigger", POST_DAG, "--run-id", run_id,
                             "--conf", json.dumps({"conn_id": conn_id, "text": text}))
        return self.cluster.finished_run_state(POST_DAG, run_id, timeout=300)

    def task_log(self) -> str:
        return self.cluster.task_logs()


@pytest.fixture(scope="package")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (as root with apt), or run "
                    "`apt-get install chromium chromium-driver`; to run the rest without it: -m 'not browser'",
                    pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="package")
def local_ui(tmp_path_factory, chromium_path):
    from airflow_provider_social.sandbox.connections import sandbox_connections, sandbox_settings
    from airflow_provider_social.sandbox.control import SandboxControl
    from scripts.local_airflow import LocalAirflow, start_sandbox

    proc, sandbox_url = start_sandbox()
    home = tmp_path_factory.mktemp("airflow-ui")
    cluster = LocalAirflow(home, DAGS, {"AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
                                        "SOCIAL_AUTH_STATE_DIR": str(home / "social_auth")})
    try:
        control = SandboxControl(sandbox_url)
        cluster.migrate()
        settings = sandbox_settings(sandbox_url)
        # One connection per service with working tokens, and one X connection with its app keys only (no token
        # yet) for the one-click authorisation.
        cluster.add_connections({**sandbox_connections(sandbox_url, control),
                                 ONE_CLICK_CONN: {"conn_type": "twitter", "extra": settings["twitter"]["extra"]},
                                 WRONG_TOKEN_CONN: {"conn_type": "twitter", "extra": {
                                     **settings["twitter"]["extra"], "access_token": WRONG_TOKEN}}})
        cluster.start(migrate=False)
        cluster.wait_until_serving(timeout=300)
        yield LocalUI(url=cluster.url, sandbox_url=sandbox_url, control=control, cluster=cluster)
    finally:
        cluster.stop()
        proc.terminate()
        proc.wait(15)


# Package scope, not session: Playwright's sync API keeps an asyncio loop marked running in this thread while it is
# started, so every later test's asyncio.run() failed ("cannot be called from a running event loop"), and the local
# Airflow would idle through the rest of the suite. Both end after the last browser test.
@pytest.fixture(scope="package")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, local_ui):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, base_url=local_ui.url)
    context.set_default_timeout(60_000)  # a busy 2-core machine: the UI's first load can take a while
    page = context.new_page()
    yield page
    context.close()


def open_admin_view(page, name: str):
    """Admin -> ``name`` in Airflow's navigation; returns the page showing it (the same tab or a new one)."""
    context = page.context
    before = set(context.pages)
    page.goto("/")
    page.get_by_role("button", name="Admin").click()
    page.get_by_role("menuitem", name=name, exact=True).click()
    for _ in range(240):  # polls the browser (an external process) for the navigation, up to a minute
        opened = [p for p in context.pages if p not in before] or [page]
        if "/social-auth" in opened[0].url or "/plugin/" in opened[0].url:
            opened[0].wait_for_load_state()
            return opened[0]
        page.wait_for_timeout(250)
    raise AssertionError(f"Admin -> {name} opened nothing; at {page.url}")


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under ``tests/browser/screenshots/`` (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
