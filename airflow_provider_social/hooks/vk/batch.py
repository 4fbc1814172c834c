"""``execute`` batching: up to 25 API calls per request, VKScript built from JSON, per-call results and errors.

The script is always ``return [API.<method>({<json>}), ...];``: method names are checked against VK's name
pattern and every value goes through ``json.dumps``, so nothing a caller passes can change the script. A failed
inner call comes back as ``false`` in its place and as the next entry of the top-level ``execute_errors`` list
(vk_api's ``requests_pool`` reads it the same way); each :class:`BatchResult` carries its own mapped error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import ServerError, SocialApiError, input_error
from airflow_provider_social.hooks.vk.methods import encode_params, method_spec
from airflow_provider_social.hooks.vk.policy import SERVICE, error_from

if TYPE_CHECKING:
    from airflow_provider_social.hooks.vk.methods import VkMethod

#: At most 25 API calls per execute (dev.vk.com/ru/method/execute).
EXECUTE_LIMIT = 25


@dataclass(frozen=True)
class BatchCall:
    """One call of a :meth:`batch`.

    :param method: the method name.
    :param params: its parameters.
    """
    method: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class BatchResult:
    """One call's outcome inside a batch: ``response`` when it worked, else ``error``.

    :param method: the method name.
    :param params: its parameters.
    :param response: the call's response when it worked.
    :param error: the call's mapped error when it failed.
    """

    method: str
    params: Mapping[str, Any]
    response: Any = None
    error: SocialApiError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self) -> Any:
        """The response, or the call's mapped error raised."""
        if self.error is not None:
            raise self.error
        return self.response


def vkscript(calls: Sequence[BatchCall]) -> str:
    """``return [API.a.b({...}), ...];`` with every parameter JSON-encoded."""
    parts = []
    for call in calls:
        method_spec(call.method)  # refuses anything that is not a plain method name
        if call.method == "execute":
            raise input_error("method", "execute cannot be nested in a batch", service=SERVICE)
        params = json.dumps(encode_params(call.params), ensure_ascii=False, separators=(",", ":"))
        parts.append(f"API.{call.method}({params})")
    return f"return [{','.join(parts)}];"


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def as_call(item: BatchCall | tuple[str, Mapping[str, Any]] | Mapping[str, Any]) -> BatchCall:
    """One call of a batch from any of its accepted forms: a BatchCall, ``(method, params)`` or a dict."""
    if isinstance(item, BatchCall):
        return item
    if isinstance(item, tuple) and len(item) == 2:
        return BatchCall(str(item[0]), dict(item[1] or {}))
    if isinstance(item, Mapping) and "method" in item:
        return BatchCall(str(item["method"]), dict(item.get("params") or {}))
    raise input_error("calls", f"each call is (method, params) or {{'method', 'params'}}, got {item!r}",
                      service=SERVICE)


def common_kinds(specs: Sequence[VkMethod]) -> tuple[str, ...]:
    """The token kinds every method of a batch accepts (community first), else an input error."""
    common = [kind for kind in ("community", "user") if all(kind in spec.tokens for spec in specs)]
    if not common:
        names = ", ".join(sorted({spec.name for spec in specs}))
        raise input_error("calls", f"no token kind is accepted by all of {names}; batch them separately",
                          service=SERVICE, operation="execute")
    return tuple(common)


def read_execute(body: Mapping[str, Any], group: Sequence[BatchCall], reauth_command: str) -> list[BatchResult]:
    """One :class:`BatchResult` per call of an ``execute`` answer: ``false`` in a call's place takes the next
    ``execute_errors`` entry, mapped by the error table.

    :param body: VK's whole ``execute`` body.
    :param group: the calls the script made, in order.
    :param reauth_command: the command that re-authorises the connection (named in auth errors).
    """
    values = body.get("response")
    if not isinstance(values, list) or len(values) != len(group):
        raise ServerError(f"execute answered {type(values).__name__} for {len(group)} calls", service=SERVICE,
                          operation="execute")
    errors = list(body.get("execute_errors") or [])
    results = []
    for call, value in zip(group, values, strict=True):
        result = BatchResult(call.method, call.params, response=value)
        if value is False and errors:
            error = errors.pop(0)
            method = str(error.get("method") or call.method) if isinstance(error, dict) else call.method
            result.error = error_from(error if isinstance(error, dict) else {}, method, reauth_command)
            result.response = None
        results.append(result)
    return results


__all__ = ["BatchCall", "BatchResult", "EXECUTE_LIMIT", "as_call", "chunks", "common_kinds", "read_execute",
           "vkscript"]
