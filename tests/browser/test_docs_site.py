"""The documentation site in Chromium: built strictly from this tree, served over loopback, each service page
shows its example DAG (the file `make demo` runs) and the client-side search finds an operator by its class name.

Needs no Airflow: only the package-scoped ``browser`` of tests/browser/conftest.py.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "dags_examples"
# Each service page and the example DAGs it includes.
SERVICE_EXAMPLES = {
    "services/yandex-disk/": ["yandex_disk_backup.py", "yandex_disk_quota_check.py"],
    "services/twitter/": ["twitter_daily_digest.py", "twitter_token_refresher.py"],
    "services/vk/": ["vk_community_daily.py"],
    "services/vk-market-ads/": ["vk_market_sync.py"],
    "services/ok/": ["cross_post.py"],
    "services/vk-vision/": ["vision_moderation.py"],
}
# An operator per service: typed into the search box, its page must be among the results.
SEARCHED_OPERATORS = {
    "TwitterThreadOperator": "services/twitter/",
    "YandexDiskUploadOperator": "services/yandex-disk/",
    "VkCreatePostOperator": "services/vk/",
    "VkMarketSyncOperator": "services/vk-market-ads/",
    "OkPostToGroupOperator": "services/ok/",
    "VkVisionDetectAdultOperator": "services/vk-vision/",
}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    site = tmp_path_factory.mktemp("docs") / "site"
    build = subprocess.run(
        [str(Path(sys.executable).parent / "mkdocs"), "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=600)
    assert build.returncode == 0, f"strict docs build failed:\n{build.stderr[-4000:]}"
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def docs_page(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, base_url=site_url)
    context.set_default_timeout(30_000)
    requested_hosts: set[str] = set()
    context.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))
    page = context.new_page()
    yield page
    context.close()
    # Offline-clean: the pages fetched nothing but the loopback server.
    assert requested_hosts <= {site_url.split("/")[2]}, f"the site fetched from other hosts: {requested_hosts}"


def _dag_id(example: str) -> str:
    found = re.search(r'dag_id="([^"]+)"', (DAGS / example).read_text(encoding="utf-8"))
    assert found, f"{example} declares no dag_id"
    return found.group(1)


@pytest.mark.parametrize("path", sorted(SERVICE_EXAMPLES))
def test_each_service_page_renders_its_example_dags(docs_page, path):
    docs_page.goto(path)
    for example in SERVICE_EXAMPLES[path]:
        block = docs_page.locator(".highlight", has=docs_page.locator(f'.filename:text-is("dags_examples/{example}")'))
        assert block.count() == 1, f"{path}: no code block titled dags_examples/{example}"
        code = block.locator("code").inner_text()
        assert f'dag_id="{_dag_id(example)}"' in code
        # The whole file, not an excerpt: its last line is on the page too.
        last_line = (DAGS / example).read_text(encoding="utf-8").rstrip().splitlines()[-1].strip()
        assert last_line in code


@pytest.mark.parametrize("operator", sorted(SEARCHED_OPERATORS))
def test_search_finds_an_operator_by_its_class_name(docs_page, operator):
    docs_page.goto("")
    docs_page.locator("input.md-search__input").click()
    # Material drops a query typed while its search worker is still loading the index ("Initializing search").
    docs_page.locator('.md-search-result__meta:text-is("Type to start searching")').wait_for()
    # Typed key by key as a reader does: Material searches on key events, which fill() does not send.
    docs_page.locator("input.md-search__input").press_sequentially(operator)
    expected = SEARCHED_OPERATORS[operator]
    # Waited for, not read once: Material redraws the results at each key, and a prefix ("Yandex") already
    # lists the page, so the list is read only once it shows the whole class name.
    expect(docs_page.locator(".md-search-result__list")).to_contain_text(operator, timeout=30_000)
    docs_page.locator(f'.md-search-result__item a[href*="{expected}"]').first.click()
    docs_page.wait_for_url(f"**/{expected}**")
    assert docs_page.locator(f'[id$=".{operator}"]').count() == 1
