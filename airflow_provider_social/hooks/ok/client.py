"""The one way an OK call is sent: a signed ``fb.do`` method call, or the photo upload link (see :mod:`.calls`).

A plain object the hook builds with the transport, its URL resolver and its credentials; the concern objects
(:mod:`.session`, :mod:`.groups`, :mod:`.photos`, :mod:`.topics`) send everything through it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.ok import calls
from airflow_provider_social.hooks.ok.posting import SERVICE

if TYPE_CHECKING:
    from airflow_provider_social.core.calls import ApiCall
    from airflow_provider_social.core.http import Auth, Transport


def method_params(method: str, params: dict[str, Any]) -> dict[str, str]:
    """The form fields of one method call: ``method``, ``format=json`` and the parameters as OK wants them (None
    left out, bools ``true``/``false``, lists comma-joined, dicts compact JSON); the auth adds the signature."""
    data = {"method": method, "format": "json"}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        data[key] = str(value)
    return data


class OkClient:
    """OK's declared calls, sent through the hook's transport (retries, the OK policy, redacted logging).

    :param transport: the hook's transport.
    :param url: the URL of a path under a named endpoint (the hook's resolver: Connection override or default).
    :param auth_for: the credentials for a call's token kind (the session signature for ``"user"``).
    """

    def __init__(self, transport: Transport, url: Callable[[str, str], str],
                 auth_for: Callable[[str | None], Auth | None]) -> None:
        self.transport = transport
        self.url = url
        self.auth_for = auth_for

    def call(self, method: str, *, retries: bool = True, idempotent: bool | None = None, **params: Any) -> Any:
        """Call an OK API method (signed, POST ``fb.do``, ``format=json``); returns the parsed answer.

        Errors map to the shared types (error 102 renews the session once; 104 bad signature, 103 invalid
        session, 10 missing permission, 8 flood, 100 bad parameter). ``idempotent`` overrides whether a lost
        answer may be repeated (declared methods know; others are not repeated).

        :param method: the OK method name, e.g. ``group.getCounters``.
        :param retries: False makes one attempt (for multi-step operations that retry as a whole).
        :param idempotent: whether a lost answer may be sent again; None: as the method is declared.
        :param params: the method's parameters (lists are comma-joined, dicts JSON-encoded, bools true/false)."""
        if not isinstance(method, str) or "." not in method or method.startswith("."):
            raise input_error("method", f"expected an OK method name such as 'users.getCurrentUser', got {method!r}",
                              service=SERVICE)
        options: dict[str, Any] = {"data": method_params(method, params)}
        if idempotent is not None:
            options["idempotent"] = idempotent
        return self.send(calls.METHODS.get(method, calls.GENERIC), retries=retries, **options)

    def send(self, call: ApiCall, *, url: str | None = None, retries: bool = True, **options: Any) -> Any:
        """Run a declared call with its data (``data``, ``body``, ``headers``, ...).

        :param call: the declared call.
        :param url: a whole URL instead of the call's endpoint and path (the upload link OK handed out).
        :param retries: retry within the connection's budget (default) or make one attempt.
        :param options: the request's data and transport options."""
        send = self.transport.request if retries else self.transport.send
        return send(call.method, url or self.url(call.endpoint, call.path), auth=self.auth_for(call.token),
                    **call.request_options(), **options)

    def with_retries(self, operation: str, attempt: Callable[[], Any]) -> Any:
        """Run a multi-step ``attempt`` (made of single-attempt calls) within the connection's retry budget.

        :param operation: the operation's name in errors and logs.
        :param attempt: one whole try; raises :class:`~airflow_provider_social.core.http.RetryableError` to retry."""
        return self.transport.with_retries(operation, attempt)
