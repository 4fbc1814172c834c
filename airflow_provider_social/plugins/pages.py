"""The plugin's HTML pages: server-rendered HTML in Airflow's look (``theme.py``), every value escaped, never a
token or secret."""

from __future__ import annotations

import html
import json
import time
from collections.abc import Iterable
from typing import Any

from airflow_provider_social.plugins.health import HealthRow, describe_expiry
from airflow_provider_social.plugins.theme import FRAME_SCRIPT, HEAD_SCRIPT, STYLE


def sentence(text: str) -> str:
    """``text`` ending as a sentence (API and flow messages often end without a full stop).

    :param text: a status message.
    """
    text = text.strip()
    return text if not text or text[-1] in ".!?)" else f"{text}."


def airflow_home(base: str) -> str:
    """Airflow's home page: the API server's root, where the plugin is mounted under ``/social-auth``.

    :param base: the plugin's root URL path.
    """
    root = base.rstrip("/")
    return (root[: -len("/social-auth")] if root.endswith("/social-auth") else "") + "/"


def page(title: str, body: str, *, base: str, status_message: str = "", ok: bool = True, after_status: str = "") -> str:
    """A whole page in Airflow's look (:mod:`plugins.theme`): navigation with a way back to Airflow, an optional
    status line, the body.

    :param base: the plugin's root URL path (``/social-auth``); every link is relative to it.
    :param title: the page title (escaped here).
    :param body: HTML already escaped by the caller.
    :param status_message: a line above the body (escaped here).
    :param ok: whether the status line reports a success.
    :param after_status: HTML (escaped by the caller) right under the status line, e.g. a "Try again" button.
    """
    status = ""
    if status_message:
        status = f'<p class="{"ok" if ok else "err"}" role="status">{html.escape(sentence(status_message))}</p>'
    # The link to the authorise page leaves Airflow's frame (leaveFrame): its Authorize cannot work inside it.
    nav = (f'<nav><a class="back" href="{html.escape(airflow_home(base))}" target="_top" '
           "onclick=\"return leaveFrame(this.href)\">&larr; Back to Airflow</a>"
           '<a href="./" onclick="return leaveFrame(this.href)">Authorise connections</a>'
           '<a href="health">Credentials health</a></nav>')
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>{html.escape(title)}</title><base href=\"{html.escape(base.rstrip('/'))}/\">"
            f"<style>{STYLE}</style>{HEAD_SCRIPT}</head>"
            f"<body>{nav}<h1>{html.escape(title)}</h1>{status}{after_status}{body}{FRAME_SCRIPT}</body></html>")


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
    return (f'<span class="field"><input id="{_e(element_id)}"{klass} readonly size="{size}" '
            f'aria-label="{_e(label)}" value="{_e(value)}" onfocus="this.select()"> '
            f'<button type="button" class="secondary copy" aria-label="Copy {_e(label)}" '
            f'onclick="copyField(\'{_e(element_id)}\')">Copy</button></span>')


def authorize_button(conn_id: str, label: str = "Authorize") -> str:
    """The form that starts ``conn_id``'s authorisation (``target=_top``: consent pages refuse to be framed).

    :param conn_id: the connection.
    :param label: the button's text ("Try again" after a refusal).
    """
    return (f'<form class="inline" method="post" action="connections/{_e(conn_id)}/authorize" target="_top">'
            f'<button type="submit">{_e(label)}</button></form>')


def retry_line(conn_id: str) -> str:
    """A "Try again" for ``conn_id`` under a refusal, instead of a dead end.

    :param conn_id: the connection whose authorisation was refused.
    """
    return f'<p data-outside-frame>{authorize_button(conn_id, "Try again")}</p>'


_FRAMED_NOTICE = ('<div class="notice" data-inside-frame hidden>Authorize leaves Airflow for the service\'s consent '
                  "page, which cannot open inside Airflow's frame. <a href=\"./\" target=\"_blank\" "
                  "onclick=\"return leaveFrame(this.href)\">Open this page on its own</a> to authorise.</div>")


def connections_page(rows: Iterable[tuple[str, str, str | None]], redirect_uri: str, *, base: str, message: str = "",
                     ok: bool = True, retry: str | None = None) -> str:
    """The list of the provider's connections with an "Authorize" button where the service has a flow.

    :param rows: (connection id, service name, flow kind ``code``/``device`` or None).
    :param redirect_uri: the callback URI to register with each service.
    :param base: the plugin's root URL path.
    :param message: a status line.
    :param ok: whether it reports a success.
    :param retry: a connection whose authorisation was refused: "Try again" under the status line.
    """
    lines = []
    for conn_id, service, kind in rows:
        if kind:
            action = f"<span data-outside-frame>{authorize_button(conn_id)}</span>"
        else:
            action = "no interactive authorisation (set its credentials on the connection)"
        lines.append(f"<tr><td>{_e(conn_id)}</td><td>{_e(service)}</td><td>{action}</td></tr>")
    table = ("<table><tr><th>Connection</th><th>Service</th><th></th></tr>" + "".join(lines) + "</table>"
             if lines else "<p>No connection of a social type yet: add one under Admin -> Connections.</p>")
    register = ('<h2>Redirect URI</h2><p>Register this redirect URI in each app (X, VK ID, OK):</p>'
                f'<p>{copyable("redirect-uri", redirect_uri, "Redirect URI")}</p>'
                "<p>Yandex uses a device code: no redirect URI is needed.</p>")
    return page("Social connections", _FRAMED_NOTICE + table + register, base=base, status_message=message, ok=ok,
                after_status=retry_line(retry) if retry else "")


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
    body = (f"<div id=\"device-steps\"><p>1. On any device with a browser, open Yandex's confirmation page (<a href="
            f"\"{_e(verification_url)}\" target=\"_blank\" rel=\"noopener\">open it here</a>):</p>"
            f"<p>{copyable('verification-url', verification_url, 'Verification URL', size=50)}</p>"
            f"<p>2. Enter this code there within {int(expires_in // 60)} min:</p>"
            f"<p>{copyable('user-code', user_code, 'User code', size=max(len(user_code) + 2, 10), css_class='code')}"
            "</p></div>"
            f"<p id=\"device-status\" role=\"status\">Waiting for approval...</p>"
            f'<p id="device-retry" hidden>{authorize_button(conn_id, "Try again")}</p>'
            f"<script>const ticket={json.dumps(ticket)};"
            "async function poll(){const r=await fetch('device/poll',{method:'POST',credentials:'same-origin',"
            "headers:{'Content-Type':'application/json'},body:JSON.stringify({ticket})});const a=await r.json();"
            "const s=document.getElementById('device-status');if(a.status==='pending'){setTimeout(poll,3000);return;}"
            "s.textContent=a.message;s.className=a.status==='done'?'ok':'err';"
            # A refused or expired code is spent: no live Copy buttons on it, and a way to start again.
            "if(a.status!=='done'){document.getElementById('device-steps').classList.add('spent');"
            "for(const b of document.querySelectorAll('#device-steps button'))b.disabled=true;"
            "document.getElementById('device-retry').hidden=false;}}setTimeout(poll,3000);</script>")
    return page(f"Authorise {conn_id} (Yandex)", body, base=base)


def spend_cell(row: HealthRow) -> str:
    """Today's and this month's calls and estimated cost, and the daily budget (the numbers of ``airflow social
    usage``); a dash for services that do not bill per call.

    :param row: the connection's row.
    """
    if row.spend_error:
        return f'<div class="err">spend unavailable: {_e(row.spend_error)}</div>'
    spend = row.spend
    if spend is None:
        return '<span class="small">&mdash;</span>'
    today, month = spend.today, spend.month

    def calls(totals: dict[str, Any]) -> str:
        return f"{totals['calls']} call{'' if totals['calls'] == 1 else 's'}, ${totals['usd']:.3f}"

    return (f"<div>today ({_e(spend.day)}): {calls(today)}</div>"
            f"<div>this month ({_e(spend.month_name)}): {calls(month)}</div>"
            f'<div class="small">daily budget: {_e(spend.budget_line())}</div>')


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
            f"<button type=\"submit\" class=\"secondary\">Check</button></form></td><td>{_e(row.service)}</td>"
            f"<td>{_e(row.account)}</td>"
            f"<td>{_e(row.token_kind)}</td><td>{_e(describe_expiry(row.expires_at, now))}</td>"
            f"<td>{_e(row.refreshed)}<div class=\"small\">{_e(row.store)}</div></td>"
            f"<td>{'yes' if row.refresh_token_present else 'no'}</td><td>{spend_cell(row)}</td>"
            f"<td>{warnings}{failed}</td></tr>")
    table = ('<div class="scroll"><table><tr><th>Connection</th><th>Service</th><th>Account (last check)</th>'
             "<th>Token kind</th><th>Access token expires</th><th>Last refresh (token store)</th>"
             "<th>Refresh token</th><th>Spend (estimated)</th><th>Status</th></tr>" + "".join(lines) + "</table></div>"
             ) if lines else "<p>No connection of a social type yet.</p>"
    note = ("<p>Check runs the connection's test on the API server. On Airflow 3.3.2 the Connections page's own "
            "Test button fails for connections without a port (apache/airflow PR 73298): use Check here.</p>")
    return page("Credentials health", table + note, base=base, status_message=message, ok=ok)
