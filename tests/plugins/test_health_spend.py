"""The health page shows what an X connection spent: today's and this month's calls and estimated cost and the
daily budget, the same numbers ``airflow social usage twitter`` prints, read from the ledger the workers keep in the
connection's token store."""

from __future__ import annotations

import re
from argparse import Namespace

from airflow_provider_social.core.tokens import FileTokenStore
from airflow_provider_social.hooks.twitter import TwitterHook
from airflow_provider_social.hooks.twitter.usage import usage_twitter
from tests.hooks.twitter_helpers import x_connection


def _row(page: str, conn_id: str) -> str:
    (row,) = [r for r in page.split("<tr>") if r.startswith(f"<td>{conn_id}<form")]
    return row


def test_health_page_shows_x_spend_and_budget_as_the_usage_command_does(plugin, db_connection, make_connection,
                                                                        sandbox, tmp_path):
    tokens = sandbox.control.mint_tokens("twitter", scope="tweet.read tweet.write users.read offline.access")
    settings = {"tokens": tokens, "daily_budget": "$1", "token_store": f"file:{tmp_path / 'tokens'}"}
    conn = x_connection(sandbox, make_connection, "x_spend", **settings)  # what the workers read
    x_connection(sandbox, db_connection, "x_spend", **settings)  # what the API server lists
    x_connection(sandbox, db_connection, "x_no_budget", tokens=tokens)
    worker = TwitterHook(conn, token_store=FileTokenStore(tmp_path / "tokens"))
    worker.create_tweet("one")
    worker.create_tweet("two")
    worker.find_recent_tweet("one")  # get me $0.010, 2 posts $0.030, 2 posts read $0.010

    page = plugin("alice").get("/social-auth/health").text
    assert "<th>Spend (estimated)</th>" in page
    spend = _row(page, "x_spend")
    assert re.search(r"today \(\d{4}-\d{2}-\d{2}\): 4 calls, \$0\.050", spend)
    assert re.search(r"this month \(\d{4}-\d{2}\): 4 calls, \$0\.050", spend)
    assert "daily budget: $1.00, spent today $0.050" in spend
    assert "daily budget: none (set daily_budget in the connection&#x27;s extras)" in _row(page, "x_no_budget")
    assert tokens["access_token"] not in page

    lines: list[str] = []
    usage_twitter(Namespace(conn_id=conn), announce=lines.append, hook=TwitterHook(conn))
    printed = "\n".join(lines)
    assert "4 calls, $0.050" in printed and "daily budget: $1.00, spent today $0.050" in printed


def test_services_that_do_not_bill_per_call_show_a_dash(plugin, db_connection, sandbox):
    tokens = sandbox.control.mint_tokens("yandex")
    db_connection("ya_spend", "yandex_disk", password=tokens["access_token"], client_id="sandbox-client",
                  api_base_url=f"{sandbox.base_url}/yandex-disk")
    row = _row(plugin("alice").get("/social-auth/health").text, "ya_spend")
    assert '<td><span class="small">&mdash;</span></td>' in row
