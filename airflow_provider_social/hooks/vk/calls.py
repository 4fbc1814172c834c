"""The VK API client: ``call(method, **params)``, ``execute`` batches, and the declared calls under them.

Calls are ``POST /method/<name>`` with a form body carrying ``v``; the token kind comes from the method table
(:mod:`.methods`) and the connection's credentials (:mod:`.auth`); the token goes in the ``Authorization`` header,
never in the URL or the body. What an answer means is the policy's (:mod:`.policy`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_social.hooks.vk.batch import (
    EXECUTE_LIMIT,
    BatchCall,
    BatchResult,
    as_call,
    chunks,
    common_kinds,
    read_execute,
    vkscript,
)
from airflow_provider_social.hooks.vk.methods import METHODS, VkMethod, encode_params, encode_value, method_spec

if TYPE_CHECKING:
    from airflow_provider_social.core.calls import ApiCall
    from airflow_provider_social.core.http import Transport
    from airflow_provider_social.hooks.vk.auth import VkCredentials

T = TypeVar("T")


class VkApi:
    """Sends VK's declared calls for one connection.

    :param transport: the hook's transport (its policy reads every answer).
    :param credentials: the connection's token kinds and their auth objects.
    :param url: the full URL of a path under a named endpoint (``api_base_url``, ``vk_id_base_url``).
    :param version: the API version sent as ``v``.
    """

    def __init__(self, transport: Transport, credentials: VkCredentials, *, url: Callable[[str, str], str],
                 version: str) -> None:
        self.transport = transport
        self.credentials = credentials
        self.url = url
        self.version = version

    def send(self, call: ApiCall, *, url: str | None = None, retries: bool = True, **options: Any) -> Any:
        """Run a declared call with its token kind's auth; ``options`` carry the data (data, body, headers).

        :param call: the declared call.
        :param url: a whole URL instead of the call's endpoint and path (an upload link VK handed out).
        :param retries: retry within the connection's budget (default) or make one attempt.
        """
        auth = self.credentials.auth_for(call.token)
        target = url or self.url(call.endpoint, call.format_path())
        send = self.transport.request if retries else self.transport.send
        return send(call.method, target, auth=auth, **call.request_options(), **options)

    def with_retries(self, operation: str, attempt: Callable[[], T]) -> T:
        """Run a multi-step ``attempt`` (get an upload URL, post, save) until it succeeds, within the budget.

        :param operation: the action named in errors and logs.
        :param attempt: one whole try; each retry starts from a fresh upload URL.
        """
        return self.transport.with_retries(operation, attempt)

    def call(self, method: str, *, token: str | None = None, idempotent: bool | None = None,
             **params: Any) -> Any:
        """Call any VK method and return its ``response``.

        :param method: e.g. ``"wall.get"``.
        :param token: ``"user"`` or ``"community"`` to pick the token kind; default: the method's preferred kind
            that the connection has.
        :param idempotent: override whether a lost answer may be repeated (default from the method table).
        :param params: the method's parameters (lists are comma-joined, dicts JSON-encoded).
        """
        return self.call_raw(method, token=token, idempotent=idempotent, **params)["response"]

    def call_raw(self, method: str, *, token: str | None = None, idempotent: bool | None = None,
                 retries: bool = True, **params: Any) -> dict[str, Any]:
        """Like :meth:`call` but returns VK's whole body (``execute`` adds ``execute_errors`` beside
        ``response``). ``retries=False`` makes one attempt (a step of a flow that retries as a whole).

        :param method: the VK method name, e.g. ``users.get``.
        :param token: ``"user"`` or ``"community"`` to pick the token kind; default: the method's preferred kind.
        :param idempotent: override whether a lost answer may be repeated (default from the method table).
        :param retries: False for one attempt (a step of a flow that retries as a whole).
        """
        spec = method_spec(method)
        form = encode_params(params)
        kind = self.credentials.choose_kind(spec.kinds(token), method, prefer=token)
        form["v"] = spec.version_for(self.version)
        body: dict[str, Any] = self.send(spec.api_call(kind, idempotent=idempotent), data=form, retries=retries)
        return body

    def step(self, method: str, **params: Any) -> Any:
        """One attempt at ``method`` (a step of a flow that retries as a whole): its ``response``.

        :param method: the VK method name.
        :param params: the method's parameters.
        """
        return self.call_raw(method, retries=False, **params)["response"]

    def batch(self, calls: Iterable[BatchCall | tuple[str, Mapping[str, Any]] | Mapping[str, Any]], *,
              token: str | None = None) -> list[BatchResult]:
        """Run many calls through ``execute``, 25 per request, and return one :class:`BatchResult` per call in
        order. A failed call does not fail the others; ``result()`` raises its error.

        :param calls: ``(method, params)`` pairs, :class:`BatchCall` s or ``{"method", "params"}`` dicts.
        :param token: ``"user"`` or ``"community"``; default: a kind every call accepts (community first: its
            limit is 20 requests/s against a user token's 3).
        """
        items = [as_call(item) for item in calls]
        if not items:
            return []
        specs = [method_spec(item.method) for item in items]
        kind = self.credentials.choose_kind(common_kinds(specs), "execute", prefer=token)
        idempotent = all(spec.idempotent for spec in specs)
        results: list[BatchResult] = []
        for group in chunks(items, EXECUTE_LIMIT):
            body = self.call_raw("execute", token=kind, idempotent=idempotent, code=vkscript(group))
            results.extend(read_execute(body, list(group), self.transport.reauth_command))
        return results


__all__ = ["METHODS", "VkApi", "VkMethod", "encode_params", "encode_value", "method_spec"]
