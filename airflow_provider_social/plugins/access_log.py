"""Keep the spent authorisation code, the ``state`` and the like out of the API server's access log.

The services send the browser back to ``/social-auth/callback?code=...&state=...`` (VK ID adds ``device_id``), and
the API server logs every request with its query string: uvicorn's ``uvicorn.access`` logger (when its access log
is on, e.g. with ``[api] server_type = gunicorn`` or a custom log config) and, on Airflow >= 3.2, Airflow's own
``http.access`` structlog event ("request finished", whose ``query`` Airflow redacts only for parameter names like
``password`` or ``token``). For requests under the plugin's prefix both are rewritten here: the path and the
parameter names stay visible, every value is replaced by ``***`` except a few harmless ones that help diagnose a
refused authorisation (``error``, ``error_description``...).

:func:`install` is called when the plugin loads (``plugins/plugin.py``); it is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import unquote_plus

from airflow_provider_social.plugins.app import URL_PREFIX as PREFIX

REDACTED = "***"

#: Query parameters whose values stay readable: the error a service reports instead of a code. Everything else a
#: plugin route receives in its query (``code``, ``state``, VK ID's ``device_id``, ``expires_in``, ...) is redacted.
KEPT = frozenset({"error", "error_description", "error_reason", "error_code", "type"})


def _is_plugin_path(path: str) -> bool:
    # The API server may run under a sub-path ([api] base_url), so the prefix may follow a root path.
    return f"{PREFIX}/" in path or path.endswith(PREFIX)


def redact_query(query: str) -> str:
    """``code=abc&state=xyz&error=access_denied`` -> ``code=***&state=***&error=access_denied``; a part without
    ``=`` (it could be a bare secret) becomes ``***``. Kept values stay as the client encoded them.

    :param query: a raw query string (without ``?``).
    """
    if not query:
        return query
    parts = []
    for part in query.split("&"):
        key, sep, value = part.partition("=")
        parts.append(f"{key}={value if unquote_plus(key) in KEPT else REDACTED}" if sep else REDACTED)
    return "&".join(parts)


def redact_target(target: str) -> str:
    """A request target (path and query) with the query redacted when the path is one of the plugin's.

    :param target: e.g. ``/social-auth/callback?code=abc&state=xyz``.
    """
    path, sep, query = target.partition("?")
    if not sep or not _is_plugin_path(path):
        return target
    return f"{path}?{redact_query(query)}"


class AccessLogFilter(logging.Filter):
    """A ``logging`` filter for ``uvicorn.access`` records (``'%s - "%s %s HTTP/%s" %d'`` with the request
    target among the args): rewrites the target, never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; always keep it.

        :param record: a log record.
        """
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(redact_target(a) if isinstance(a, str) and "?" in a else a for a in record.args)
        elif not record.args and isinstance(record.msg, str) and PREFIX in record.msg:
            record.msg = " ".join(redact_target(word) if "?" in word else word for word in record.msg.split(" "))
        return True


def structlog_processor(logger: Any, method_name: str,
                        event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structlog processor for Airflow's access-log event (``path`` and ``query`` fields).

    :param logger: the wrapped logger (unused).
    :param method_name: the log method's name (unused).
    :param event_dict: the event; its ``query`` is redacted when its ``path`` is one of the plugin's.
    """
    path, query = event_dict.get("path"), event_dict.get("query")
    if isinstance(path, str) and isinstance(query, str) and query and _is_plugin_path(path):
        event_dict["query"] = redact_query(query)
    return event_dict


_FILTER = AccessLogFilter()


def install() -> None:
    """Attach :class:`AccessLogFilter` to ``uvicorn.access`` and put :func:`structlog_processor` first in
    structlog's processors (loggers that bind afterwards, such as Airflow's access logger on its first request,
    use it). Calling it again changes nothing."""
    access = logging.getLogger("uvicorn.access")
    if _FILTER not in access.filters:
        access.addFilter(_FILTER)
    try:
        import structlog
    except ImportError:  # pragma: no cover - Airflow 3 always has structlog
        return
    processors = list(structlog.get_config()["processors"])
    if structlog_processor not in processors:
        structlog.configure(processors=[structlog_processor, *processors])
