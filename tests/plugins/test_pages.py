"""The plugin's pages as HTML: the values a user must copy (redirect URI, Yandex's verification URL and user code)
are read-only fields with a Copy button that copies that very field."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from airflow_provider_social.plugins.pages import connections_page, device_page


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def _elements(text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(text)
    return parser.elements


def _copyable(text: str, element_id: str) -> str:
    """The value of the read-only field ``element_id``, after checking a button copies exactly that field."""
    elements = _elements(text)
    fields = [attrs for tag, attrs in elements if tag == "input" and attrs.get("id") == element_id]
    assert len(fields) == 1, f"no single field #{element_id}"
    field = fields[0]
    assert "readonly" in field and field.get("aria-label"), field
    copy = f"copyField('{element_id}')"
    assert any(tag == "button" and attrs.get("onclick") == copy for tag, attrs in elements), f"no Copy for {element_id}"
    # Copy works without the Clipboard API too (plain http to a remote server): it selects and copies the field.
    assert "function copyField(id){const f=document.getElementById(id);" in text
    assert "f.select()" in text and "document.execCommand('copy')" in text
    return str(field["value"])


VERIFICATION_URL = "https://ya.ru/device?x=1&y=\"2\""


def test_device_page_shows_the_verification_url_and_the_user_code_as_copyable_fields():
    text = device_page("ya_conn", "ABCD-1234", VERIFICATION_URL, "ticket-1", 300, base="/social-auth")
    assert _copyable(text, "verification-url") == VERIFICATION_URL  # escaped in the HTML, intact once parsed
    assert _copyable(text, "user-code") == "ABCD-1234"
    links = [attrs for tag, attrs in _elements(text) if tag == "a" and attrs.get("href") == VERIFICATION_URL]
    assert links and links[0].get("target") == "_blank"  # still one click away on a desktop
    assert "within 5 min" in text and 'const ticket="ticket-1"' in text


def test_connections_page_keeps_the_redirect_uri_copyable():
    text = connections_page([("x", "X", "code")], "http://127.0.0.1:8080/social-auth/callback", base="/social-auth")
    assert _copyable(text, "redirect-uri") == "http://127.0.0.1:8080/social-auth/callback"


def test_device_page_through_the_route_shows_the_sandbox_verification_url(plugin, db_connection, sandbox):
    db_connection("ya_page", "yandex_disk", client_id="sandbox-client", client_secret="sandbox-secret",
                  api_base_url=f"{sandbox.base_url}/yandex-disk", oauth_base_url=f"{sandbox.base_url}/yandex-oauth")
    page = plugin("alice").post("/social-auth/connections/ya_page/authorize")
    assert page.status_code == 200, page.text
    assert _copyable(page.text, "verification-url").startswith(sandbox.base_url)
    assert re.fullmatch(r"[A-Za-z0-9-]+", _copyable(page.text, "user-code"))


def test_health_page_puts_check_beside_the_connection_and_reads_well():
    """The browser showed the Check column cut off at the right edge of Airflow's frame, and expiries in minutes
    ("in 43197 min"): the button now sits under the connection id, the table scrolls inside its own box, and
    expiries read in days or hours."""
    from airflow_provider_social.plugins.health import HealthRow, describe_expiry
    from airflow_provider_social.plugins.pages import health_page

    now = 1_800_000_000.0
    row = HealthRow(conn_id="x_main", service="Twitter/X", account="@someone", token_kind="OAuth 2.0",
                    expires_at=now + 30 * 86400, refreshed="never: the tokens as written to the connection",
                    store="the Airflow Variable 'social_token_x_main'", refresh_token_present=True,
                    last_check={"ok": False, "message": "X refused the token"})
    text = health_page([row], base="/social-auth", now=now)
    first_cell = text.split("<td>", 2)[1]
    assert first_cell.startswith("x_main") and 'action="connections/x_main/check"' in first_cell
    assert '<div class="scroll"><table>' in text
    assert "social_token_x_main" in text and "X refused the token" in text
    assert describe_expiry(now + 30 * 86400, now).endswith("(in 30 days)")
    assert describe_expiry(now + 7100, now).endswith("(in 1 h 58 min)")
    assert describe_expiry(now + 600, now).endswith("(in 10 min)")
    assert describe_expiry(now - 1, now).endswith("(expired)")


def test_inside_airflows_frame_authorize_gives_way_to_a_notice_with_a_link_out():
    """Airflow 3.3.2 frames plugin views without allow-top-navigation: there Authorize could do nothing. The buttons
    are marked to hide inside a frame, and a notice (hidden outside one) links out of it through leaveFrame()."""
    text = connections_page([("x", "X", "code")], "http://127.0.0.1:8080/social-auth/callback", base="/social-auth")
    elements = _elements(text)
    notice = [attrs for tag, attrs in elements if "data-inside-frame" in attrs]
    assert len(notice) == 1 and "hidden" in notice[0]
    assert any("data-outside-frame" in attrs for tag, attrs in elements)
    assert re.search(r"<span data-outside-frame><form[^>]*action=\"connections/x/authorize\"", text)
    links = [attrs for tag, attrs in elements if tag == "a" and attrs.get("onclick") == "return leaveFrame(this.href)"]
    assert {link["href"] for link in links} >= {"./"}
    assert "n.hidden=false" in text and "window.top!==window.self" in text
