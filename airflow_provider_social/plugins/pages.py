"""The plugin's HTML pages: plain server-rendered HTML, every value escaped, never a token or secret."""

from __future__ import annotations

import html
import json
import time
from collections.abc import Iterable

from airflow_provider_social.plugins.health import HealthRow, describe_expiry

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1f2937}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #e5e7eb;padding:.4rem .6rem;text-align:left;vertical-align:top}
.scroll{overflow-x:auto}.small{font-size:.85rem;color:#4b5563}td form{margin-top:.3rem}
.warn{color:#b45309;font-weight:600}.ok{color:#047857}.err{color:#b91c1c}code{background:#f3f4f6;padding:.1rem .3rem}
button{padding:.3rem .8rem;cursor:pointer}nav a{margin-right:1rem}.code{font-size:2rem;letter-spacing:.2rem}
"""


_COPY_SCRIPT = ("<script>function copyField(id){const f=document.getElementById(id);f.focus();f.select();"
                "if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(f.value)"
                ".catch(()=>document.execCommand('copy'));}else{document.execCommand('copy');}}</script>")


def page(title: str, body: str, *, base: str, status_message: str = "", ok: bool = True) -> str:
    """A whole page: navigation, an optional status line, the body.

    :param base: the plugin's root URL path (``/social-auth``); every link is relative to it.
    :param title: the page title (escaped here).
    :param body: HTML already escaped by the caller.
    :param status_message: a line above the body (escaped here).
    :param ok: whether the status line reports a success.
    """
    status = ""
    if status_message:
        status = f'<p class="{"ok" if ok else "err"}" role="status">{html.escape(status_message)}</p>'
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<base href=\"{html.escape(base.rstrip('/'))}/\"><style>{_STYLE}</style>{_COPY_SCRIPT}</head>"
            "<body><nav><a href=\"./\">Authorise connections</a>"
            f"<a href=\"health\">Credentials health</a></nav><h1>{html.escape(title)}</h1>{status}{body}</body></html>")


def _e(value: object) -> str:
    return html.escape(str(value))


def copyable(element_id: str, value: str, label: str, *, size: int = 70, css_class: str = "") -> str:
    """A read-only text field with a Copy button (``copyField`` in :data:`_COPY_SCRIPT`): the button selects the
    field and copies it, through the Clipboard API where the page is a secure context (https, localhost) and the
    selection otherwise (plain http to a remote API server, where ``navigator.clipboard`` does not exist).

    :param element_id: the input's id (the button copies from it).
    :param value: the text (escaped here).
    :param label: the field's accessible name.
    :param size: the field's width in characters.
    :param css_class: an extra CSS class for the field.
    """
    klass = f' class="{_e(css_class)}"' if css_class else ""
    return (f'<input id="{_e(element_id)}"{klass} readonly size="{size}" aria-label="{_e(label)}" '
            f'value="{_e(value)}" onfocus="this.select()"> '
            f'<button type="button" aria-label="Copy {_e(label)}" onclick="copyField(\'{_e(element_id)}\')">'
            "Copy</button>")


def connections_page(rows: Iterable[tuple[str, str, str | None]], redirect_uri: str, *, base: str, message: str = "",
                     ok: bool = True) -> str:
    """The list of the provider's connections with an "Authorize" button where the service has a flow.

    :param rows: (connection id, service name, flow kind ``code``/``device`` or None).
    :param redirect_uri: the callback URI to register with each service.
    :param base: the plugin's root URL path.
    :param message: a status line.
    :param ok: whether it reports a success.
    """
    lines = []
    for conn_id, service, kind in rows:
        if kind:
            # target=_top: consent pages refuse to be framed, and the plugin may be shown in Airflow's iframe.
            action = (f'<form method="post" action="connections/{_e(conn_id)}/authorize" target="_top">'
                      f'<button type="submit">Authorize</button></form>')
        else:
            action = "no interactive authorisation (set its credentials on the connection)"
        lines.append(f"<tr><td>{_e(conn_id)}</td><td>{_e(service)}</td><td>{action}</td></tr>")
    table = ("<table><tr><th>Connection</th><th>Service</th><th></th></tr>" + "".join(lines) + "</table>"
             if lines else "<p>No connection of a social type yet: add one under Admin -> Connections.</p>")
    register = ('<h2>Redirect URI</h2><p>Register this redirect URI in each app (X, VK ID, OK):</p>'
                f'<p>{copyable("redirect-uri", redirect_uri, "Redirect URI")}</p>'
                "<p>Yandex uses a device code: no redirect URI is needed.</p>")
    return page("Social connections", table + register, base=base, status_message=message, ok=ok)


def device_page(conn_id: str, user_code: str, verification_url: str, ticket: str, expires_in: float, *,
                base: str) -> str:
    """Yandex's device code, with live polling of the plugin until the user approves.

    :param conn_id: the connection being authorised.
    :param user_code: the code the user types on Yandex's page (not a secret: it is meant to be shown).
    :param verification_url: Yandex's page.
    :param ticket: the pending authorisation's id, sent in the body of each poll (never in a URL).
    :param expires_in: seconds the code lives.
    :param base: the plugin's root URL path.
    """
    body = ("<p>1. On any device with a browser, open Yandex's confirmation page (<a href="
            f"\"{_e(verification_url)}\" target=\"_blank\" rel=\"noopener\">open it here</a>):</p>"
            f"<p>{copyable('verification-url', verification_url, 'Verification URL', size=50)}</p>"
            f"<p>2. Enter this code there within {int(expires_in // 60)} min:</p>"
            f"<p>{copyable('user-code', user_code, 'User code', size=max(len(user_code) + 2, 10), css_class='code')}"
            "</p>"
            f"<p id=\"device-status\" role=\"status\">Waiting for approval...</p>"
            f"<script>const ticket={json.dumps(ticket)};"
            "async function poll(){const r=await fetch('device/poll',{method:'POST',credentials:'same-origin',"
            "headers:{'Content-Type':'application/json'},body:JSON.stringify({ticket})});const a=await r.json();"
            "const s=document.getElementById('device-status');if(a.status==='pending'){setTimeout(poll,3000);return;}"
            "s.textContent=a.message;s.className=a.status==='done'?'ok':'err';}setTimeout(poll,3000);</script>")
    return page(f"Authorise {conn_id} (Yandex)", body, base=base)


def health_page(rows: Iterable[HealthRow], *, base: str, now: float | None = None, message: str = "",
                ok: bool = True) -> str:
    """The credentials health table with a "Check" button per connection.

    :param rows: one per social connection.
    :param base: the plugin's root URL path.
    :param now: epoch seconds.
    :param message: a status line (e.g. the last check's outcome).
    :param ok: whether it reports a success.
    """
    now = time.time() if now is None else now
    lines = []
    for row in rows:
        warnings = "".join(f'<div class="warn">{_e(w)}</div>' for w in row.warnings) or '<span class="ok">OK</span>'
        check = row.last_check
        # A successful check's account is in its own column; a failed one's message is the thing to read.
        failed = (f'<div class="err">{_e(check.get("message", ""))}</div>' if check and not check.get("ok") else "")
        lines.append(
            f"<tr><td>{_e(row.conn_id)}<form method=\"post\" action=\"connections/{_e(row.conn_id)}/check\">"
            f"<button type=\"submit\">Check</button></form></td><td>{_e(row.service)}</td><td>{_e(row.account)}</td>"
            f"<td>{_e(row.token_kind)}</td><td>{_e(describe_expiry(row.expires_at, now))}</td>"
            f"<td>{_e(row.refreshed)}<div class=\"small\">{_e(row.store)}</div></td>"
            f"<td>{'yes' if row.refresh_token_present else 'no'}</td><td>{warnings}{failed}</td></tr>")
    table = ('<div class="scroll"><table><tr><th>Connection</th><th>Service</th><th>Account (last check)</th>'
             "<th>Token kind</th><th>Access token expires</th><th>Last refresh (token store)</th>"
             "<th>Refresh token</th><th>Status</th></tr>" + "".join(lines) + "</table></div>"
             ) if lines else "<p>No connection of a social type yet.</p>"
    note = ("<p>Check runs the connection's test on the API server. On Airflow 3.3.2 the Connections page's own "
            "Test button fails for connections without a port (apache/airflow PR 73298): use Check here.</p>")
    return page("Credentials health", table + note, base=base, status_message=message, ok=ok)
