"""The plugin's pages in the real UI: Admin -> Social credentials, one click from app keys to working tokens
through the sandbox's consent page, then a DAG task posting with them; the health page and its Check button."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ONE_CLICK_CONN, WRONG_TOKEN_CONN, open_admin_view, screenshot

pytestmark = pytest.mark.browser


def test_one_click_authorisation_then_a_dag_task_posts_with_the_new_tokens(page, local_ui):
    plugin_page = open_admin_view(page, "Social credentials")
    expect(plugin_page.locator("#redirect-uri")).to_have_value(f"{local_ui.url}/social-auth/callback")
    row = plugin_page.get_by_role("row").filter(has_text=ONE_CLICK_CONN)
    row.get_by_role("button", name="Authorize").click()
    # The sandbox's consent page approves and sends the browser back to our callback, which redirects to the
    # (reloadable) result page.
    plugin_page.wait_for_url("**/social-auth/result/**")
    status = plugin_page.get_by_role("status")
    expect(status).to_contain_text(f"Authorised. Connection '{ONE_CLICK_CONN}' now holds new tokens")
    expect(status).to_contain_text("connected account: Connected to X as @")
    screenshot(plugin_page, "one-click")

    stored = local_ui.stored_connection(ONE_CLICK_CONN)["extra"]
    assert stored["access_token"].startswith("xat_") and stored["refresh_token"].startswith("xrt_")
    shown = plugin_page.content() + plugin_page.url
    for secret in (stored["access_token"], stored["refresh_token"], stored["client_secret"]):
        assert secret not in shown

    text = "posted by a DAG task with tokens from the one-click flow"
    state = local_ui.run_post_dag(ONE_CLICK_CONN, text)
    assert state == "success", local_ui.task_log()[-4000:]
    posts = [e for e in local_ui.control.created() if text in str(e)]
    assert posts, "the DAG run did not post on the sandbox"


def test_health_page_check_shows_the_account_and_a_clear_refusal(page, local_ui):
    health = open_admin_view(page, "Social credentials health")
    frame = health.frame_locator("iframe").first if "/plugin/" in health.url else health
    frame.get_by_role("row").filter(has_text="twitter_default").get_by_role("button", name="Check").click()
    status = frame.get_by_role("status")
    expect(status).to_contain_text("twitter_default: Connected to X as @")
    # X bills per call: its row shows the spend the ledger counted (the Check's get-me among it) and the budget.
    x_row = frame.get_by_role("row").filter(has_text="twitter_default")
    expect(x_row).to_contain_text("today (")
    expect(x_row).to_contain_text("this month (")
    expect(x_row).to_contain_text("daily budget:")
    screenshot(health, "health")

    frame.get_by_role("row").filter(has_text=WRONG_TOKEN_CONN).get_by_role("button", name="Check").click()
    expect(status).to_contain_text(f"{WRONG_TOKEN_CONN}:")
    message = status.inner_text()
    assert "refused" in message and "even after a refresh" not in message, message
    assert "--conn-id" not in message or f"--conn-id {WRONG_TOKEN_CONN}" in message, message
    assert "xat_not-a-token" not in frame.locator("body").inner_text()
