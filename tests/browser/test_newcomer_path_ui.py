"""The first hour of a newcomer in the real UI (issue 21): the home page after login without a plugin import error,
the health page inside Airflow's frame, Authorize reached from there, a reload of the success page, and on Yandex a
Deny followed by "Try again". Screenshots (light and dark) go to ``tests/browser/screenshots/`` (git-ignored)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ONE_CLICK_CONN, open_admin_view, screenshot

pytestmark = pytest.mark.browser


def _dark(page) -> None:
    """Airflow's own dark mode: next-themes keeps the choice in localStorage["theme"]; the plugin pages follow it."""
    page.evaluate("localStorage.setItem('theme', 'dark')")
    page.reload()


def test_newcomer_path_from_login_to_working_tokens(page, local_ui):
    page.goto("/")
    expect(page.get_by_role("button", name="Admin")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Plugin Import Error")).to_have_count(0)
    screenshot(page, "newcomer-1-home")

    health = open_admin_view(page, "Social credentials health")
    assert "/plugin/" in health.url  # shown inside Airflow's frame
    frame = health.frame_locator("iframe").first
    expect(frame.get_by_role("row").filter(has_text=ONE_CLICK_CONN)).to_be_visible()
    expect(frame.get_by_role("link", name="Back to Airflow")).to_be_visible()
    screenshot(health, "newcomer-2-health-framed")

    # The authorise page's link leaves the frame: its Authorize must reach the consent page.
    frame.get_by_role("link", name="Authorise connections").click()
    health.wait_for_url("**/social-auth/")
    row = health.get_by_role("row").filter(has_text=ONE_CLICK_CONN)
    expect(row.get_by_role("button", name="Authorize")).to_be_visible()
    screenshot(health, "newcomer-3-authorise")
    row.get_by_role("button", name="Authorize").click()
    health.wait_for_url("**/social-auth/result/**")
    status = health.get_by_role("status")
    expect(status).to_contain_text(f"Authorised. Connection '{ONE_CLICK_CONN}' now holds new tokens")
    health.reload()  # F5 on the success page shows the success again
    expect(status).to_contain_text(f"Authorised. Connection '{ONE_CLICK_CONN}' now holds new tokens")
    expect(status).to_contain_text("connected account: Connected to X as @")
    screenshot(health, "newcomer-4-authorised-after-reload")
    _dark(health)
    expect(status).to_contain_text("Authorised.")
    assert health.evaluate("document.documentElement.dataset.theme") == "dark"
    screenshot(health, "newcomer-4-authorised-dark")
    health.evaluate("localStorage.removeItem('theme')")


def test_the_authorise_page_reached_inside_the_frame_still_has_a_working_authorize(page, local_ui):
    """However the framed health page's frame reaches the authorise page (here: the frame itself navigates there),
    the user ends on a working Authorize: Airflow 3.3.2 may lift the page out of its frame (it syncs the frame's
    location into its own route); where it stays framed, the page's notice links out of the frame instead."""
    health = open_admin_view(page, "Social credentials health")
    framed = health.frame_locator("iframe").first
    expect(framed.get_by_role("heading", name="Credentials health")).to_be_visible()
    plugin_frame = next(frame for frame in health.frames if "/social-auth/health" in frame.url)
    plugin_frame.goto(f"{local_ui.url}/social-auth/")
    still_framed = [frame for frame in health.frames if frame is not health.main_frame and "/social-auth/" in frame.url]
    if still_framed:
        framed = health.frame_locator("iframe").first
        expect(framed.get_by_text("cannot open inside Airflow's frame")).to_be_visible()
        expect(framed.get_by_role("button", name="Authorize")).to_have_count(0)
        screenshot(health, "newcomer-3b-authorise-framed")
        framed.get_by_role("link", name="Open this page on its own").click()
        health.wait_for_url("**/social-auth/")
    assert health.evaluate("window.top === window.self")
    expect(health.get_by_role("row").filter(has_text=ONE_CLICK_CONN).get_by_role("button", name="Authorize")
           ).to_be_enabled()


def test_yandex_deny_then_try_again(page, local_ui):
    page.goto("/social-auth/")
    row = page.get_by_role("row").filter(has_text="yandex_disk_default")
    row.get_by_role("button", name="Authorize").click()
    code = page.locator("#user-code").input_value()
    verification = page.context.new_page()
    verification.goto(page.locator("#verification-url").input_value())
    verification.get_by_label("Code").fill(code)
    verification.get_by_role("button", name="Deny").click()
    expect(verification.get_by_text("Access denied.")).to_be_visible()
    verification.close()

    status = page.locator("#device-status")
    expect(status).to_contain_text("failed", timeout=90_000)
    assert status.inner_text().rstrip().endswith("."), status.inner_text()
    # The spent code keeps no live Copy button; "Try again" starts a new authorisation.
    for button in page.locator("#device-steps").get_by_role("button").all():
        expect(button).to_be_disabled()
    screenshot(page, "newcomer-5-yandex-denied")
    page.get_by_role("button", name="Try again").click()
    expect(page.locator("#user-code")).not_to_have_value(code)
    expect(page.locator("#device-status")).to_have_text("Waiting for approval...")
    screenshot(page, "newcomer-6-yandex-new-code")

    page.goto("/social-auth/")
    _dark(page)
    screenshot(page, "newcomer-7-authorise-dark")
    page.goto("/social-auth/health")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    screenshot(page, "newcomer-8-health-dark")
    page.evaluate("localStorage.removeItem('theme')")
